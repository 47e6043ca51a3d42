package org.trustfleet.payload;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Wraps payload bytes in DER-encoded CMS SignedData (RFC 5652): encapsulated content of type id-data, one SignerInfo
 * (issuerAndSerialNumber, SHA-256, ecdsa-with-SHA256) with signed attributes content-type, message-digest,
 * signing-time and Bouncy Castle's CMS algorithm-protection (RFC 6211), and the signer chain in {@code certificates}.
 * OpenSSL verifies the output with {@code openssl cms -verify -inform DER -in payload.p7m -CAfile root.pem}.
 *
 * <p>Thread-safe and stateless apart from the clock. Signing a document costs one ECDSA signature: its
 * {@link SigningKey} was checked to match its certificate when made. Signing bytes with a bare key costs one more
 * verification (the signer checks its own output, which catches a key that does not belong to the certificate).
 */
public final class CmsPayloadSigner {

    private final Clock clock;

    /** Uses the system UTC clock for signing-time. */
    public CmsPayloadSigner() {
        this(Clock.systemUTC());
    }

    /** Uses {@code clock} for the signing-time attribute. */
    public CmsPayloadSigner(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Signs the canonical JSON of {@code doc} with {@code signer}. */
    public byte[] sign(PayloadDocument doc, TenantSigner signer) {
        if (!doc.tenantId().equals(signer.tenantId())) {
            throw new IllegalArgumentException("payload tenant " + doc.tenantId() + " is not the signer's tenant");
        }
        // a SigningKey's key belongs to its certificate (checked when it was made): no need to check each signature
        return sign(PayloadJson.write(doc), signer.signer().privateKey(), signer.chain(), false);
    }

    /**
     * @param content     the bytes to encapsulate (normally {@link PayloadJson#write})
     * @param signerKey   the signer's private key (EC; RSA also works, with SHA256withRSA)
     * @param signerChain signer certificate first, then the payload root (both are embedded)
     * @return DER of a ContentInfo holding SignedData
     */
    public byte[] sign(byte[] content, PrivateKey signerKey, List<X509Certificate> signerChain) {
        return sign(content, signerKey, signerChain, true);
    }

    private byte[] sign(byte[] content, PrivateKey signerKey, List<X509Certificate> signerChain, boolean checkKey) {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(signerKey, "signerKey");
        if (signerChain == null || signerChain.isEmpty()) {
            throw new IllegalArgumentException("signerChain must start with the signer certificate");
        }
        X509Certificate signerCert = signerChain.get(0);
        String alg = SigningAuthority.signatureAlgorithm(signerKey);
        try {
            AttributeTable attrs = new AttributeTable(new Attribute(CMSAttributes.signingTime,
                    new DERSet(new Time(Date.from(clock.instant())))));
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                    new JcaDigestCalculatorProviderBuilder().build())
                    .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(attrs))
                    .build(new JcaContentSignerBuilder(alg).build(signerKey), signerCert));
            gen.addCertificates(new JcaCertStore(signerChain));
            CMSSignedData signed = gen.generate(new CMSProcessableByteArray(content), true);
            SignerInformation si = signed.getSignerInfos().getSigners().iterator().next();
            if (checkKey && !si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(signerCert.getPublicKey()))) {
                throw new IllegalArgumentException("signer key does not match the signer certificate");
            }
            return signed.getEncoded(ASN1Encoding.DER);
        } catch (OperatorCreationException | CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot sign payload: " + e.getMessage(), e);
        } catch (CMSException e) {
            throw new IllegalArgumentException("cannot sign payload (does the key match the certificate?)", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode payload", e);
        }
    }
}
