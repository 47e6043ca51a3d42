package org.trustfleet.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;

/**
 * Turns whatever an admin uploads or a console exports (PEM bundle, single DER, certs-only PKCS#7 in DER or PEM) into
 * certificates, detecting the format from the bytes and pointing at the exact block that is broken.
 */
public final class CertificateParser {

    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", Pattern.DOTALL);
    private static final Pattern PEM_BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");

    private CertificateParser() {
    }

    /** Parses with {@link ParseLimits#DEFAULT}. */
    public static List<X509Certificate> parse(byte[] input) {
        return parse(input, ParseLimits.DEFAULT);
    }

    /** Detects the format and parses; never returns an empty list (no certificate is an error). */
    public static List<X509Certificate> parse(byte[] input, ParseLimits limits) {
        if (input == null) {
            throw new CertificateParseException(0, "no input");
        }
        if (input.length > limits.maxBytes()) {
            throw new CertificateParseException(0,
                    "input is " + input.length + " bytes, larger than the limit of " + limits.maxBytes() + " bytes");
        }
        CertificateFormat format = detect(input);
        List<X509Certificate> out = switch (format) {
            case PEM -> parsePem(input, limits);
            case DER -> List.of(parseDerCertificate(input, 1));
            case PKCS7_DER -> parsePkcs7Der(input, limits, 0);
        };
        if (out.isEmpty()) {
            throw new CertificateParseException(0, "no certificate found");
        }
        return List.copyOf(out);
    }

    /** Parses a text input and returns its certificates (convenience for tests and configuration). */
    public static List<X509Certificate> parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8), ParseLimits.DEFAULT);
    }

    /**
     * Guesses the encoding: PEM if a BEGIN line is present, otherwise a DER SEQUENCE whose first element tells a
     * PKCS#7 ContentInfo (an OID) from a certificate (the TBS SEQUENCE).
     */
    public static CertificateFormat detect(byte[] input) {
        int i = 0;
        while (i < input.length && isWhitespace(input[i])) {
            i++;
        }
        if (i == 0 && input.length > 0 && input[0] == 0x30) {
            // Look only at the first inner tag: an OID means ContentInfo (PKCS#7), anything else a certificate.
            // A shallow look keeps a PKCS#7 with one damaged certificate from being mistaken for a broken DER cert.
            int inner = innerTagOffset(input);
            if (inner > 0 && inner < input.length && input[inner] == 0x06) {
                return CertificateFormat.PKCS7_DER;
            }
            return CertificateFormat.DER;
        }
        String head = new String(input, StandardCharsets.ISO_8859_1);
        if (head.contains("-----BEGIN ")) {
            return CertificateFormat.PEM;
        }
        throw new CertificateParseException(0, "unrecognised format: neither PEM (no BEGIN line) nor DER");
    }

    private static List<X509Certificate> parsePem(byte[] input, ParseLimits limits) {
        // ISO-8859-1 maps every byte to one char, so junk between blocks can never break decoding.
        String text = new String(input, StandardCharsets.ISO_8859_1);
        List<X509Certificate> out = new ArrayList<>();
        int block = 0;
        int pos = 0;
        Matcher begin = PEM_BEGIN.matcher(text);
        while (begin.find(pos)) {
            block++;
            Matcher m = PEM_BLOCK.matcher(text);
            m.region(begin.start(), text.length());
            if (!m.lookingAt()) {
                throw new CertificateParseException(block, "BEGIN " + begin.group(1) + " without a matching END line");
            }
            String type = m.group(1);
            if (!type.equals(m.group(3))) {
                throw new CertificateParseException(block,
                        "BEGIN " + type + " closed by END " + m.group(3));
            }
            byte[] der = decodeBase64(m.group(2), block);
            switch (type) {
                case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE" -> {
                    checkCount(out.size() + 1, limits, block);
                    out.add(parseDerCertificate(der, block));
                }
                case "PKCS7", "CMS" -> {
                    for (X509Certificate c : parsePkcs7Der(der, limits, block)) {
                        checkCount(out.size() + 1, limits, block);
                        out.add(c);
                    }
                }
                default -> throw new CertificateParseException(block,
                        "unsupported PEM type '" + type + "' (expected CERTIFICATE or PKCS7)");
            }
            pos = m.end();
        }
        if (block == 0) {
            throw new CertificateParseException(0, "no PEM block found");
        }
        return out;
    }

    private static byte[] decodeBase64(String body, int block) {
        StringBuilder b64 = new StringBuilder(body.length());
        for (String line : body.split("\r\n|\r|\n")) {
            // RFC 1421 encapsulated headers ("Proc-Type: ...") carry no certificate data.
            if (line.indexOf(':') >= 0) {
                continue;
            }
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (!Character.isWhitespace(ch)) {
                    b64.append(ch);
                }
            }
        }
        if (b64.length() == 0) {
            throw new CertificateParseException(block, "empty PEM block");
        }
        try {
            return Base64.getDecoder().decode(b64.toString());
        } catch (IllegalArgumentException e) {
            throw new CertificateParseException(block, "invalid base64 in PEM block", e);
        }
    }

    /** Parses exactly one DER certificate; trailing bytes are an error because they usually mean a wrong format. */
    static X509Certificate parseDerCertificate(byte[] der, int block) {
        try {
            // BC's strict parse rejects trailing data and malformed TLV early, with readable messages.
            org.bouncycastle.asn1.x509.Certificate.getInstance(ASN1Primitive.fromByteArray(der));
        } catch (IOException | RuntimeException e) {
            throw new CertificateParseException(block, "not a DER X.509 certificate: " + asn1Problem(e), e);
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw new CertificateParseException(block, "invalid certificate: " + certificateProblem(e), e);
        }
    }

    /**
     * Parses a certs-only SignedData. When it comes from PEM, errors name the PEM block; otherwise they name the
     * certificate's position inside the SignedData.
     */
    private static List<X509Certificate> parsePkcs7Der(byte[] der, ParseLimits limits, int pemBlock) {
        ASN1Set certs;
        try {
            // Lazy evaluation leaves each certificate unparsed until visited, so a damaged one is reported by index.
            ASN1Primitive top;
            try (ASN1InputStream in = new ASN1InputStream(der, true)) {
                top = in.readObject();
                if (top == null || in.available() != 0) {
                    throw new CertificateParseException(pemBlock, "invalid PKCS#7: empty or trailing data");
                }
            }
            ContentInfo info = ContentInfo.getInstance(top);
            if (!CMSObjectIdentifiers.signedData.equals(info.getContentType())) {
                throw new CertificateParseException(pemBlock,
                        "PKCS#7 content type " + info.getContentType() + " is not SignedData");
            }
            certs = SignedData.getInstance(info.getContent()).getCertificates();
        } catch (CertificateParseException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CertificateParseException(pemBlock, "invalid PKCS#7 SignedData: " + asn1Problem(e), e);
        }
        List<X509Certificate> out = new ArrayList<>();
        if (certs == null) {
            return out;
        }
        int index = 0;
        for (ASN1Encodable element : certs) {
            index++;
            int block = pemBlock > 0 ? pemBlock : index;
            checkCount(index, limits, block);
            byte[] encoded;
            try {
                encoded = element.toASN1Primitive().getEncoded(ASN1Encoding.DER);
            } catch (IOException | RuntimeException e) {
                throw new CertificateParseException(block, (pemBlock > 0 ? "certificate " + index + " of PKCS#7: "
                        : "") + "malformed certificate: " + asn1Problem(e), e);
            }
            try {
                out.add(parseDerCertificate(encoded, block));
            } catch (CertificateParseException e) {
                throw new CertificateParseException(block,
                        (pemBlock > 0 ? "certificate " + index + " of PKCS#7: " : "") + e.getMessage()
                                .replaceFirst("^block \\d+: ", ""), e);
            }
        }
        return out;
    }

    private static void checkCount(int count, ParseLimits limits, int block) {
        if (count > limits.maxCertificates()) {
            throw new CertificateParseException(block,
                    "more than " + limits.maxCertificates() + " certificates (limit)");
        }
    }

    /** Offset of the first element inside the outer DER header, or -1 when the header is malformed. */
    private static int innerTagOffset(byte[] der) {
        if (der.length < 2) {
            return -1;
        }
        int lengthByte = der[1] & 0xff;
        if (lengthByte < 0x80) {
            return 2;
        }
        int n = lengthByte & 0x7f;
        return n == 0 || n > 4 ? -1 : 2 + n;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /*
     * What is wrong, in our words: the parsers' own messages name their classes ("unknown object in getInstance:
     * org.bouncycastle.asn1.DERUTF8String", "java.io.IOException: Only named ECParameters supported"), which say
     * nothing to the person who pasted the bundle and describe our internals to anyone else. The cause stays on the
     * exception for the log.
     */

    /** Bytes that are not the ASN.1 structure expected: a damaged encoding, or a different structure. */
    private static String asn1Problem(Throwable e) {
        return e instanceof IOException || e instanceof IndexOutOfBoundsException
                ? "the DER encoding is damaged (truncated, a wrong length or a bad tag)"
                : "the ASN.1 structure is not the one expected";
    }

    /** A certificate whose structure parses but whose content the platform's certificate reader refuses. */
    private static String certificateProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("ECParameters")) {
                return "its public key has explicitly given elliptic-curve parameters; only named curves"
                        + " (such as P-256) are supported";
            }
        }
        return "a field of the certificate (a key, a name, a date or an extension) could not be decoded";
    }

    /**
     * Parses one certificate from the application's own bundled data (PEM or DER) with the JDK's parser alone: no
     * format detection and no per-block diagnostics, which matter for uploads but cost a short-lived process (the
     * {@code check} command loads ~300 bundled roots) about half its parsing time. Callers verify what they read
     * (the bundled stores check each certificate's fingerprint against its file name).
     */
    public static X509Certificate parseBundled(byte[] input) {
        return parseKnown(input, "bundled certificate");
    }

    /**
     * Decodes a certificate the application stored itself (the encoding of one the JDK had decoded: from an upload, a
     * scan's handshake, an AIA fetch or the bundled stores) with the JDK's parser alone, as {@link #parseBundled}: the
     * strict parse and its diagnostics are for input. A store change's sweep decodes the latest scans' certificates
     * (100,000 leaves in the scale benchmark), and the strict parse repeated there was 1.8 % of its threads' CPU. A row
     * that does not decode is damage, not input.
     */
    public static X509Certificate parseStored(byte[] der) {
        return parseKnown(der, "stored certificate");
    }

    private static X509Certificate parseKnown(byte[] input, String what) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(input));
        } catch (CertificateException | RuntimeException e) {
            throw new CertificateParseException(1, what + " is not readable: " + certificateProblem(e), e);
        }
    }
}
