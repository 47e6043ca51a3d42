package org.trustfleet.scan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;

/**
 * The stored shape of a scan's lists ({@code scan.document}, jsonb), kept apart from the API's {@link ScanResult} so
 * that the API can change without turning old rows into errors. Read with {@code core.JsonColumns}, which ignores
 * unknown fields; a change that is not a pure addition gets a new {@code schemaVersion} and a migration.
 * {@code serverFix} was such an addition: rows written before it read it as null.
 */
record StoredScan(int schemaVersion, List<Certificate> presented, List<String> completedPath,
        List<StoredFinding> findings, List<Verdict> perApiLevel, StoredServerFix serverFix) {

    /** The version this code writes. Version 1: the field names the API records had when the rows were TEXT. */
    static final int CURRENT_VERSION = 1;

    StoredScan {
        presented = presented == null ? List.of() : List.copyOf(presented);
        completedPath = completedPath == null ? List.of() : List.copyOf(completedPath);
        findings = findings == null ? List.of() : List.copyOf(findings);
        perApiLevel = perApiLevel == null ? List.of() : List.copyOf(perApiLevel);
    }

    /** A presented certificate's identifying facts. */
    record Certificate(String sha256, String subject, String issuer, Instant notBefore, Instant notAfter,
            @JsonProperty("isCa") boolean isCa, boolean selfSigned) {
        static Certificate of(CertificateSummary s) {
            return new Certificate(s.sha256(), s.subject(), s.issuer(), s.notBefore(), s.notAfter(), s.isCa(),
                    s.selfSigned());
        }

        CertificateSummary toSummary() {
            return new CertificateSummary(sha256, subject, issuer, notBefore, notAfter, isCa, selfSigned);
        }
    }

    /** A finding; {@code sha256} is null for one about the whole chain. */
    record StoredFinding(FindingCode code, String sha256, String detail) {
        static StoredFinding of(Finding f) {
            return new StoredFinding(f.code(), f.sha256(), f.detail());
        }

        Finding toFinding() {
            return new Finding(code, sha256, detail == null ? "" : detail);
        }
    }

    /** One API level's verdict on the chain as presented. */
    record Verdict(int apiLevel, String store, boolean trusted, List<String> missing, String failure,
            List<StateVerdict> states) {
        Verdict {
            missing = missing == null ? List.of() : List.copyOf(missing);
            states = states == null ? List.of() : List.copyOf(states); // absent in rows older than the field
        }

        static Verdict of(ApiLevelVerdict v) {
            return new Verdict(v.apiLevel(), v.store(), v.trusted(), v.missing(), v.failure(), v.states().stream()
                    .map(st -> new StateVerdict(st.store(), st.trusted(), st.failure())).toList());
        }

        ApiLevelVerdict toVerdict() {
            return new ApiLevelVerdict(apiLevel, store, trusted, missing, failure, states.stream()
                    .map(st -> new ApiLevelVerdict.StateVerdict(st.store(), st.trusted(), st.failure())).toList());
        }
    }

    /** One state's verdict of a level with several known states. */
    record StateVerdict(String store, boolean trusted, String failure) {}

    /** The chain the server should send and each level's verdicts on it; absent in rows older than the field. */
    record StoredServerFix(List<String> chain, boolean changesPresented, List<StoredServerFixLevel> perApiLevel,
            List<Integer> levelsNotFixed) {
        StoredServerFix {
            chain = chain == null ? List.of() : List.copyOf(chain);
            perApiLevel = perApiLevel == null ? List.of() : List.copyOf(perApiLevel);
            levelsNotFixed = levelsNotFixed == null ? List.of() : List.copyOf(levelsNotFixed);
        }

        static StoredServerFix of(ServerFixAdvice a) {
            return a == null ? null : new StoredServerFix(a.chain(), a.changesPresented(), a.perApiLevel().stream()
                    .map(l -> new StoredServerFixLevel(l.apiLevel(), l.trusted(), l.trustedAsPresented(),
                            l.failure())).toList(), a.levelsNotFixed());
        }

        ServerFixAdvice toAdvice() {
            return new ServerFixAdvice(chain, changesPresented, perApiLevel.stream()
                    .map(l -> new ServerFixAdvice.Level(l.apiLevel(), l.trusted(), l.trustedAsPresented(),
                            l.failure())).toList(), levelsNotFixed);
        }
    }

    /** One level's verdicts on the proposed server chain and on the presented one. */
    record StoredServerFixLevel(int apiLevel, boolean trusted, boolean trustedAsPresented, String failure) {}

    /** The storage record of a result's lists (with the findings actually stored). */
    static StoredScan of(ScanResult result, List<Finding> findings) {
        return new StoredScan(CURRENT_VERSION, result.presented().stream().map(Certificate::of).toList(),
                result.completedPath(), findings.stream().map(StoredFinding::of).toList(),
                result.perApiLevel().stream().map(Verdict::of).toList(), StoredServerFix.of(result.serverFix()));
    }

    List<String> presentedSha256s() {
        return presented.stream().map(Certificate::sha256).toList();
    }
}
