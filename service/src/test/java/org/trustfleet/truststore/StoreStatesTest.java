package org.trustfleet.truststore;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.StoreIndex;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.policy.CertificateRole;
import org.trustfleet.policy.EndpointFixOptions;
import org.trustfleet.policy.EndpointObservation;
import org.trustfleet.policy.Fix;
import org.trustfleet.policy.LevelOutcome;
import org.trustfleet.policy.PolicyEngine;
import org.trustfleet.policy.ReasonCode;
import org.trustfleet.scan.ApiLevelVerdict;
import org.trustfleet.scan.ChainEvaluation;
import org.trustfleet.scan.ChainJudge;

/**
 * Every known state of a level is judged: the bundled data holds later security and mainline states of some levels,
 * a level's store is what all its states hold, per-level verdicts list each state, and the engine delivers what
 * every state of the level needs.
 */
class StoreStatesTest {
    static final String TRUSTCOR_CA1 = "d40e9c86cd8fe468c1776959f49ea774fa548684b6c406f3909261f4dce2575c";
    static final String TRUSTCOR_ECA1 = "5a885db19c01d912c5759388938cafbbdf031ab2d48e91ee15589b42971d039c";
    static StoreSnapshot bundled;

    @BeforeAll
    static void load() {
        bundled = StoreSnapshot.of(BundledStores.load(), List.of());
    }

    /** The states of each level with several, first release first, as the bundled data holds them. */
    @ParameterizedTest(name = "API {0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "19 | api-19, api-19_4.4.3",
            "30 | api-30, api-30_security-11.0.0_r70, api-30_security-11.0.0_r73",
            "31 | api-31, api-31_security-12.0.0_r53",
            "32 | api-32",
            "33 | api-33, api-33_13.0.0_r75, api-33_security-13.0.0_r11",
            "34 | api-34, api-34_14.0.0_r61",
            "36 | api-36, api-36_16.0.0_r4"})
    void everyBundledStateOfALevelIsJudged(int level, String names) {
        assertThat(bundled.statesByApiLevel().get(level).stream().map(PlatformStore::name).toList())
                .containsExactly(names.split(",\\s*"));
        assertThat(bundled.index().states(level).stream().map(StoreIndex.State::name).toList())
                .containsExactly(names.split(",\\s*"));
        // the level's store is what every state holds
        Set<String> common = null;
        for (PlatformStore state : bundled.statesByApiLevel().get(level)) {
            if (common == null) {
                common = new java.util.TreeSet<>(state.sha256s());
            } else {
                common.retainAll(state.sha256s());
            }
        }
        assertThat(bundled.index().store(level).stream().map(Sha256::of).collect(Collectors.toSet()))
                .isEqualTo(common);
        assertThat(bundled.byApiLevel().get(level).name()).isEqualTo(names.split(",\\s*")[0]);
    }

    /** A root a security update removed is untrusted on that level (some devices no longer hold it). */
    @ParameterizedTest(name = "{0} on API {1}: in first release {2}, on the level {3}")
    @CsvSource({
            TRUSTCOR_CA1 + ", 33, true, false",
            TRUSTCOR_ECA1 + ", 33, true, false",
            TRUSTCOR_CA1 + ", 31, true, false",
            TRUSTCOR_CA1 + ", 30, true, false",
            TRUSTCOR_CA1 + ", 32, true, true", // 12L: no later state is known, so its one state stands
            TRUSTCOR_CA1 + ", 34, false, false"})
    void aRootRemovedByALaterStateIsNotTrustedOnTheLevel(String sha256, int level, boolean firstRelease,
            boolean onLevel) {
        assertThat(bundled.statesByApiLevel().get(level).get(0).sha256s().contains(sha256)).isEqualTo(firstRelease);
        assertThat(bundled.index().contains(level, sha256)).isEqualTo(onLevel);
        // still a certificate some store holds: a candidate to deliver to the devices that lost it
        assertThat(bundled.index().inAnyStore(sha256)).isTrue();
    }

    static final Cert ROOT = TestPki.root("States Root");
    static final Cert KEPT = TestPki.root("States Kept Root");
    static final String HOST = "sts.states.test";

    /** Synthetic states of test level 90: the first release trusts ROOT, a security update removed it. */
    static StoreSnapshot removedLater() {
        return StoreSnapshot.of(List.of(
                store("api-90", 90, ROOT.cert(), KEPT.cert()),
                store("api-90_security-1", 90, KEPT.cert()),
                store("api-91", 91, ROOT.cert(), KEPT.cert())), List.of());
    }

    static PlatformStore store(String name, int level, X509Certificate... certificates) {
        return new PlatformStore(name, "android", level, PlatformStore.StoreSource.BUNDLED, "test",
                List.of(certificates), Set.of(certificates).stream().map(Sha256::of).collect(Collectors.toSet()));
    }

    @Test
    void theLevelVerdictListsEachStateAndSaysWhereTheyDisagree() {
        Cert issuing = ROOT.issueIntermediate("States CA");
        Cert leaf = issuing.issueLeaf(HOST);
        ChainEvaluation evaluation = new ChainJudge(Optional.empty()).evaluate(List.of(leaf.cert(), issuing.cert()),
                HOST, removedLater(), List.of(), name -> List.of(), Instant.now());
        ApiLevelVerdict at90 = evaluation.perApiLevel().stream().filter(v -> v.apiLevel() == 90).findFirst()
                .orElseThrow();
        assertThat(at90.trusted()).isFalse();
        assertThat(at90.store()).isEqualTo("api-90");
        assertThat(at90.states()).extracting(ApiLevelVerdict.StateVerdict::store, ApiLevelVerdict.StateVerdict::trusted)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("api-90", true),
                        org.assertj.core.groups.Tuple.tuple("api-90_security-1", false));
        assertThat(at90.failure()).startsWith("trusted on early builds only (api-90); untrusted on api-90_security-1");
        assertThat(at90.missing()).containsExactly(ROOT.sha256());
        ApiLevelVerdict at91 = evaluation.perApiLevel().stream().filter(v -> v.apiLevel() == 91).findFirst()
                .orElseThrow();
        assertThat(at91.trusted()).isTrue();
        assertThat(at91.states()).isEmpty();
    }

    @Test
    void theEngineDeliversWhatEveryStateOfALevelNeeds() {
        Cert issuing = ROOT.issueIntermediate("States CA 2");
        Cert leaf = issuing.issueLeaf(HOST);
        EndpointFixOptions options = PolicyEngine.create().analyze(EndpointObservation.ok(UUID.randomUUID(), HOST,
                List.of(leaf.cert(), issuing.cert()), List.of()), removedLater().index(), List.of(), List.of(),
                Instant.now());
        LevelOutcome at90 = options.level(90);
        // the options that fix level 90 on every state (the root, or the intermediate as an anchor of its own)
        assertThat(at90.fixes()).extracting(Fix::sha256, Fix::role, Fix::reason)
                .contains(org.assertj.core.groups.Tuple.tuple(ROOT.sha256(), CertificateRole.ROOT,
                        ReasonCode.UNTRUSTED_ROOT));
        assertThat(options.level(91).fixes()).isEmpty();
    }
}
