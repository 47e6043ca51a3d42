package org.trustfleet.scan;

import java.util.List;

/**
 * Would a stock device of this API level accept the chain as the server presents it, and if not, which
 * certificate it would have to hold.
 */
public record ApiLevelVerdict(int apiLevel, String store, boolean trusted, List<String> missing, String failure) {}
