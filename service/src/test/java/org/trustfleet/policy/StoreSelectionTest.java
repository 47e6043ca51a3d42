package org.trustfleet.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.StoreIndex;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;

/**
 * A group's store source decides which stores the engine computes for: the platform's states, the stores its
 * devices reported (where they reported one), or both; a root an observed store lacks is delivered with the reason
 * OBSERVED_STORE_LACKS_ROOT.
 */
class StoreSelectionTest {
    static final String HOST = "sts.selection.test";
    static final Cert ROOT = TestPki.root("Selection Root");
    static final Cert OTHER = TestPki.root("Selection Other Root");
    static final Cert ISSUING = ROOT.issueIntermediate("Selection CA");
    static final Cert LEAF = ISSUING.issueLeaf(HOST);
    static final StoreIndex PLATFORM = StoreIndex.ofStates(Map.of(
            60, List.of(new StoreIndex.State("api-60", List.of(ROOT.cert(), OTHER.cert()))),
            61, List.of(new StoreIndex.State("api-61", List.of(ROOT.cert(), OTHER.cert())))));

    static List<X509Certificate> store(String which) {
        return switch (which) {
            case "lacks-root" -> List.of(OTHER.cert());
            case "has-root" -> List.of(ROOT.cert(), OTHER.cert());
            default -> throw new IllegalArgumentException(which);
        };
    }

    @ParameterizedTest(name = "{0}, observed store at 60 {1}: states at 60 {2}, fix at 60 {3}")
    @CsvSource({
            "BUNDLED,  lacks-root, api-60,                  none",
            "OBSERVED, lacks-root, observed:x,              OBSERVED_STORE_LACKS_ROOT",
            "BOTH,     lacks-root, api-60 observed:x,       OBSERVED_STORE_LACKS_ROOT",
            "OBSERVED, has-root,   observed:x,              none",
            "BOTH,     has-root,   api-60 observed:x,       none"})
    void theSourceDecidesTheStatesAndTheReason(StoreSource source, String observed, String states, String reason) {
        StoreIndex index = StoreSelection.select(PLATFORM, source,
                Map.of(60, List.of(new StoreIndex.State("observed:x", store(observed), true))));
        assertThat(index.states(60).stream().map(StoreIndex.State::name).toList())
                .containsExactly(states.split(" "));
        // a level no device reported keeps the platform's states
        assertThat(index.states(61).stream().map(StoreIndex.State::name).toList()).containsExactly("api-61");
        EndpointFixOptions options = PolicyEngine.create().analyze(EndpointObservation.ok(UUID.randomUUID(), HOST,
                List.of(LEAF.cert(), ISSUING.cert()), List.of()), index, List.of(), List.of(), Instant.now());
        if (reason.equals("none")) {
            assertThat(options.level(60).fixes()).isEmpty();
        } else {
            assertThat(options.level(60).fixes()).filteredOn(f -> f.sha256().equals(Sha256.of(ROOT.cert())))
                    .extracting(Fix::reason).containsExactly(ReasonCode.valueOf(reason));
        }
        assertThat(options.level(61).fixes()).isEmpty();
    }
}
