package org.trustfleet.scan;

import java.security.cert.X509Certificate;
import java.util.List;
import org.trustfleet.pki.Finding;

/**
 * What a scan concluded about one presented chain: the path completed to a trusted root (with the certificates
 * that had to be found elsewhere), the findings, and the verdict for every Android API level.
 */
public record ChainEvaluation(List<X509Certificate> completedPath, List<X509Certificate> fetchedByAia,
        List<Finding> findings, List<ApiLevelVerdict> perApiLevel) {}
