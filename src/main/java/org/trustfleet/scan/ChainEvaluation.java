package org.trustfleet.scan;

import java.security.cert.X509Certificate;
import java.util.List;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.ServerFix;

/**
 * What a scan concluded about one presented chain: the path completed to a trusted root (with the certificates
 * that had to be found elsewhere), the findings, the verdict for every Android API level, and the chain the server
 * should send ({@code serverFix}; null when nothing was presented).
 */
public record ChainEvaluation(List<X509Certificate> completedPath, List<X509Certificate> fetchedByAia,
        List<Finding> findings, List<ApiLevelVerdict> perApiLevel, ServerFix serverFix) {

    /** The evaluation of no chain at all (the probe failed). */
    public static ChainEvaluation none() {
        return new ChainEvaluation(List.of(), List.of(), List.of(), List.of(), null);
    }
}
