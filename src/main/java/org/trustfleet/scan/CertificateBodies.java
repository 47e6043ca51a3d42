package org.trustfleet.scan;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.openssl.PEMParser;

/**
 * Parses what AIA servers actually return (DER certificate, certs-only PKCS#7 in DER, or PEM of either), because
 * RFC 5280 allows both DER forms and real CAs also serve PEM.
 */
final class CertificateBodies {

    private CertificateBodies() {
    }

    /** All certificates in {@code body}; throws with a human message when it holds none. */
    static List<X509Certificate> parse(byte[] body) throws CertificateException {
        if (body.length == 0) {
            throw new CertificateException("the response body is empty");
        }
        try {
            List<X509Certificate> out = looksLikePem(body) ? parsePem(body) : parseDer(body);
            if (out.isEmpty()) {
                throw new CertificateException("the response contains no certificate");
            }
            return out;
        } catch (IOException | CMSException | RuntimeException e) {
            // Bouncy Castle signals malformed ASN.1 with several unchecked exception types.
            throw new CertificateException("the response is neither a DER/PEM certificate nor a certs-only PKCS#7", e);
        }
    }

    private static boolean looksLikePem(byte[] body) {
        int i = 0;
        while (i < body.length && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'
                || body[i] == (byte) 0xEF || body[i] == (byte) 0xBB || body[i] == (byte) 0xBF)) {
            i++;
        }
        return body.length - i >= 10 && new String(body, i, 10, StandardCharsets.US_ASCII).equals("-----BEGIN");
    }

    private static List<X509Certificate> parsePem(byte[] body) throws IOException, CMSException, CertificateException {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.US_ASCII);
             PEMParser pem = new PEMParser(reader)) {
            Object o;
            while ((o = pem.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) {
                    out.add(toX509(holder.getEncoded()));
                } else if (o instanceof ContentInfo ci) {
                    out.addAll(fromSignedData(new CMSSignedData(ci)));
                }
                // Keys, CRLs and other PEM objects are not issuers; skip them.
            }
        }
        return out;
    }

    private static List<X509Certificate> parseDer(byte[] body) throws IOException, CMSException, CertificateException {
        ASN1Primitive p = ASN1Primitive.fromByteArray(body);
        ASN1Sequence seq = ASN1Sequence.getInstance(p);
        if (seq.size() >= 1 && seq.getObjectAt(0) instanceof ASN1ObjectIdentifier oid) {
            if (!oid.equals(CMSObjectIdentifiers.signedData)) {
                throw new CertificateException("PKCS#7 content type " + oid + " is not signedData");
            }
            return fromSignedData(new CMSSignedData(ContentInfo.getInstance(seq)));
        }
        return List.of(toX509(body));
    }

    private static List<X509Certificate> fromSignedData(CMSSignedData signed) throws IOException, CertificateException {
        List<X509Certificate> out = new ArrayList<>();
        for (X509CertificateHolder holder : signed.getCertificates().getMatches(null)) {
            out.add(toX509(holder.getEncoded()));
        }
        return out;
    }

    private static X509Certificate toX509(byte[] der) throws CertificateException {
        // JDK objects, not Bouncy Castle ones: the rest of Trustfleet and the TLS stack use the JDK types.
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
