package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.TestPki;

/**
 * Chain verdicts are reused only while the presented chain, the stores, the anchors, the verified name and the day
 * are those they were reached under, and no validity date of the chain or its path has passed meanwhile.
 */
class VerdictReuseTest {
    private static final String NAME = "sts.reuse.test";
    private static final Duration EXPIRES_SOON = Duration.ofDays(30);
    private final TestPki.Cert root = TestPki.root("Reuse Root");
    private final TestPki.Cert leaf = root.issueLeaf(NAME);
    private final List<X509Certificate> chain = TestPki.certs(leaf, root);
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(1));
    private final VerdictReuse reuse = new VerdictReuse(100, EXPIRES_SOON);
    private final UUID endpoint = UUID.randomUUID();

    private static ChainEvaluation evaluation(FindingCode code) {
        return new ChainEvaluation(List.of(), List.of(), List.of(Finding.of(code, "detail")),
                List.of(new ApiLevelVerdict(34, "android-34", false, List.of(), "untrusted")), null, null);
    }

    @Test
    void aChangeOfStoresOrAnchorsForcesRevalidation() {
        String key = VerdictReuse.key(chain, NAME, 7, List.of(), 3, now);
        reuse.remember(endpoint, key, now, chain, evaluation(FindingCode.UNTRUSTED_ROOT));
        assertThat(reuse.reuse(endpoint, key, now.plusSeconds(60))).hasValueSatisfying(v -> {
            assertThat(v.findings()).extracting(Finding::code).containsExactly(FindingCode.UNTRUSTED_ROOT);
            assertThat(v.perApiLevel()).hasSize(1);
        });
        // a new store snapshot, a new anchor, another verified name, another chain: other keys, so no reuse
        for (String other : List.of(VerdictReuse.key(chain, NAME, 8, List.of(), 3, now),
                VerdictReuse.key(chain, NAME, 7, List.of(root.cert()), 3, now),
                VerdictReuse.key(chain, NAME, 7, List.of(), 4, now),
                VerdictReuse.key(chain, "other.reuse.test", 7, List.of(), 3, now),
                VerdictReuse.key(TestPki.certs(leaf), NAME, 7, List.of(), 3, now),
                VerdictReuse.key(chain, NAME, 7, List.of(), 3, now.plus(Duration.ofDays(1))))) {
            assertThat(other).isNotEqualTo(key);
            assertThat(reuse.reuse(endpoint, other, now)).isEmpty();
        }
        // another endpoint never gets this one's verdicts
        assertThat(reuse.reuse(UUID.randomUUID(), key, now)).isEmpty();
    }

    @Test
    void aFailedAiaFetchIsNotReusedButAMissingAiaExtensionIs() {
        TestPki.Cert withAia = root.leaf(NAME).aia("http://aia.reuse.test/ca.crt").build();
        List<X509Certificate> fetching = TestPki.certs(withAia);
        String key = VerdictReuse.key(fetching, NAME, 7, List.of(), 3, now);
        reuse.remember(endpoint, key, now, fetching, aiaUnavailable(withAia));
        assertThat(reuse.reuse(endpoint, key, now)).isEmpty();

        // nothing to fetch: the same answer every time
        List<X509Certificate> plain = TestPki.certs(leaf);
        String plainKey = VerdictReuse.key(plain, NAME, 7, List.of(), 3, now);
        reuse.remember(endpoint, plainKey, now, plain, aiaUnavailable(leaf));
        assertThat(reuse.reuse(endpoint, plainKey, now)).isPresent();
    }

    private static ChainEvaluation aiaUnavailable(TestPki.Cert about) {
        return new ChainEvaluation(List.of(), List.of(), List.of(Finding.about(FindingCode.AIA_UNAVAILABLE,
                about.sha256(), "could not be fetched")), List.of(), null, null);
    }

    @Test
    void verdictsEndWhenACertificateStartsToExpireSoon() {
        // the leaf enters its EXPIRES_SOON window two hours from now, within the same UTC day
        TestPki.Cert expiring = root.leaf(NAME).notAfter(now.plus(EXPIRES_SOON).plus(Duration.ofHours(2))).build();
        List<X509Certificate> presented = TestPki.certs(expiring, root);
        String key = VerdictReuse.key(presented, NAME, 7, List.of(), 3, now);
        reuse.remember(endpoint, key, now, presented, evaluation(FindingCode.UNTRUSTED_ROOT));
        assertThat(reuse.reuse(endpoint, key, now.plus(Duration.ofHours(1)))).isPresent();
        assertThat(reuse.reuse(endpoint, key, now.plus(Duration.ofHours(2)))).isEmpty();
    }
}
