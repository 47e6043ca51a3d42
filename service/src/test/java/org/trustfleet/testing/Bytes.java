package org.trustfleet.testing;

/** Byte-array helpers for tests that look inside encodings (e.g. tamper with one byte of a CMS structure). */
public final class Bytes {
    private Bytes() {}

    /** The first index of {@code needle} in {@code haystack}; fails the test when absent. */
    public static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("byte sequence not found");
    }
}
