package org.trustfleet.scan;

import java.security.cert.X509Certificate;
import java.util.List;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FixFinder;
import org.trustfleet.pki.ServerFix;

/**
 * What a scan concluded about one presented chain: the path completed to a trusted root (with the certificates
 * that had to be found elsewhere), the findings, the verdict for every Android API level, and the chain the server
 * should send ({@code serverFix}; null when nothing was presented). {@code fixes} is the whole per-level answer
 * behind the verdicts (why a level cannot be fixed, every certificate that would fix it), for readers that show
 * more than the verdicts, such as the {@code check} command; null when nothing was presented.
 */
public record ChainEvaluation(List<X509Certificate> completedPath, List<X509Certificate> fetchedByAia,
        List<Finding> findings, List<ApiLevelVerdict> perApiLevel, ServerFix serverFix,
        FixFinder.EndpointFixes fixes) {

    /** The evaluation of no chain at all (the probe failed). */
    public static ChainEvaluation none() {
        return new ChainEvaluation(List.of(), List.of(), List.of(), List.of(), null, null);
    }
}
