package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A computation's memo takes each certificate's fingerprint from what its caller knows, then from the store index,
 * and hashes only the rest; with the right fingerprints handed over, what a computation answers does not change.
 */
class ComputationMemoTest {

    static final TestPki.Cert ROOT = TestPki.root("Memo Root");
    static final TestPki.Cert INT = ROOT.issueIntermediate("Memo Issuing CA");
    static final TestPki.Cert LEAF = INT.issueLeaf("login.memo.test");
    private static final String HOST = "login.memo.test";

    private static StoreIndex stores() {
        return StoreIndex.of(Map.of(30, List.of(ROOT.cert()), 31, List.of()));
    }

    @Test
    void aFingerprintTheCallerKnowsIsTakenAsGiven() {
        // a value no hash produces shows where the answer came from: the contract is that the caller's is used
        ComputationMemo memo = stores().memo(Map.of(LEAF.cert(), "known-by-lookup"));
        assertThat(memo.of(LEAF.cert())).isEqualTo("known-by-lookup");
    }

    @Test
    void otherCertificatesAreFingerprintedFromTheIndexOrHashed() {
        ComputationMemo memo = stores().memo(Map.of(LEAF.cert(), LEAF.sha256()));
        assertThat(memo.of(ROOT.cert())).isEqualTo(ROOT.sha256()).isEqualTo(Sha256.of(ROOT.cert()));
        assertThat(memo.of(INT.cert())).isEqualTo(INT.sha256()).isEqualTo(Sha256.of(INT.cert()));
        assertThat(stores().memo().of(LEAF.cert())).isEqualTo(Sha256.of(LEAF.cert()));
    }

    @Test
    void knownFingerprintsLeaveTheAssessmentAsItWas() {
        StoreIndex stores = stores();
        List<X509Certificate> presented = List.of(LEAF.cert());
        Instant now = Instant.now();
        ServerChainAdvisor advisor = ServerChainAdvisor.create();
        ServerFix hashed = advisor.assess(presented, List.of(INT.cert()), stores, HOST, now).choose(null);
        ServerFix given = advisor.assess(presented, List.of(INT.cert()), stores, HOST, now,
                stores.memo(Map.of(LEAF.cert(), LEAF.sha256(), INT.cert(), INT.sha256()))).choose(null);
        assertThat(given).isEqualTo(hashed);
        // the case is one the fingerprints matter to: the intermediate the server left out is proposed
        assertThat(given.chainSha256()).containsExactly(LEAF.sha256(), INT.sha256());
        assertThat(given.levelsFixed()).containsExactly(30);
        assertThat(given.levelsNotFixed()).containsExactly(31);
    }
}
