package org.trustfleet.agent;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignerDigestMismatchException;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.util.Selector;

/**
 * Verifies a delivered CMS payload against the root pinned at enrollment and the device's tenant: the signer must be
 * issued directly by the pinned root, be valid now, not be a CA, allow digitalSignature and name the tenant; the
 * signature must verify; the document must parse and name the tenant. The first failing check gives the
 * {@link RejectionReason} (same order as the service's verifier). Rollback, freeze and group are the agent's checks.
 */
final class PayloadVerifier {

    /** Larger inputs are refused before parsing. */
    static final int MAX_CMS_BYTES = Payload.MAX_BYTES + 64 * 1024;

    private static final Set<String> DIGESTS = new HashSet<String>(Arrays.asList(
            "2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2", "2.16.840.1.101.3.4.2.3"));
    /** ecdsa-with-SHA256/384/512, and id-ecPublicKey which some signers put in signatureAlgorithm. */
    private static final Set<String> SIGNATURES = new HashSet<String>(Arrays.asList(
            "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", "1.2.840.10045.2.1"));

    private PayloadVerifier() {
    }

    static Payload verify(byte[] cms, X509Certificate pinnedRoot, UUID tenant, long nowMillis) {
        if (cms == null || cms.length == 0) {
            throw fail(RejectionReason.MALFORMED, "empty payload");
        }
        if (cms.length > MAX_CMS_BYTES) {
            throw fail(RejectionReason.MALFORMED, "payload larger than " + MAX_CMS_BYTES + " bytes");
        }
        CMSSignedData sd;
        byte[] content;
        SignerInformation si;
        // Bouncy Castle decodes inner structures lazily and throws unchecked exceptions for malformed ones
        try {
            sd = new CMSSignedData(cms);
            CMSTypedData signed = sd.getSignedContent();
            if (signed == null || !(signed.getContent() instanceof byte[])) {
                throw fail(RejectionReason.MALFORMED, "no encapsulated content (detached signature)");
            }
            content = (byte[]) signed.getContent();
            if (!CMSObjectIdentifiers.data.getId().equals(sd.getSignedContentTypeOID())) {
                throw fail(RejectionReason.MALFORMED, "encapsulated content type is not id-data");
            }
            Collection<SignerInformation> signers = sd.getSignerInfos().getSigners();
            if (signers.size() != 1) {
                throw fail(RejectionReason.MALFORMED, "expected exactly one signer, found " + signers.size());
            }
            si = signers.iterator().next();
            if (si.getSignedAttributes() == null) {
                throw fail(RejectionReason.MALFORMED, "signer has no signed attributes");
            }
            si.getDigestAlgOID();
            si.getEncryptionAlgOID();
        } catch (PayloadRejectedException e) {
            throw e;
        } catch (CMSException | RuntimeException e) {
            throw fail(RejectionReason.MALFORMED, "not a well-formed CMS SignedData");
        }
        if (!DIGESTS.contains(si.getDigestAlgOID())) {
            throw fail(RejectionReason.UNSUPPORTED_ALGORITHM, "digest algorithm " + si.getDigestAlgOID());
        }
        if (!SIGNATURES.contains(si.getEncryptionAlgOID())) {
            throw fail(RejectionReason.UNSUPPORTED_ALGORITHM, "signature algorithm " + si.getEncryptionAlgOID());
        }
        X509Certificate signer = findSigner(sd, si);
        checkChain(signer, pinnedRoot);
        if (!Certs.isValidAt(pinnedRoot, nowMillis)) {
            throw fail(RejectionReason.SIGNER_EXPIRED, "pinned payload root is not valid at "
                    + Iso8601.format(nowMillis));
        }
        if (!Certs.isValidAt(signer, nowMillis)) {
            throw fail(RejectionReason.SIGNER_EXPIRED, "signer certificate (valid "
                    + Iso8601.format(signer.getNotBefore().getTime()) + " to "
                    + Iso8601.format(signer.getNotAfter().getTime()) + ") is not valid at "
                    + Iso8601.format(nowMillis));
        }
        try {
            if (!si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(signer.getPublicKey()))) {
                throw fail(RejectionReason.BAD_SIGNATURE, "signature does not verify");
            }
        } catch (CMSSignerDigestMismatchException e) {
            throw fail(RejectionReason.BAD_SIGNATURE, "content does not match the signed message digest");
        } catch (PayloadRejectedException e) {
            throw e;
        } catch (CMSException | RuntimeException e) {
            throw fail(RejectionReason.BAD_SIGNATURE, "signature does not verify");
        } catch (OperatorCreationException e) {
            throw fail(RejectionReason.UNSUPPORTED_ALGORITHM, "cannot build a verifier for the signer key");
        }
        UUID certTenant = Certs.tenantOf(signer);
        if (certTenant == null) {
            throw fail(RejectionReason.UNTRUSTED_SIGNER, "signer certificate names no tenant");
        }
        if (!certTenant.equals(tenant)) {
            throw fail(RejectionReason.WRONG_TENANT, "signed by the signer of tenant " + certTenant);
        }
        Payload doc;
        try {
            doc = Payload.read(content);
        } catch (IllegalArgumentException e) {
            throw fail(RejectionReason.MALFORMED, e.getMessage());
        }
        if (!doc.tenantId.equals(tenant)) {
            throw fail(RejectionReason.WRONG_TENANT, "document names tenant " + doc.tenantId);
        }
        return doc;
    }

    private static X509Certificate findSigner(CMSSignedData sd, SignerInformation si) {
        Collection<X509CertificateHolder> matches;
        try {
            @SuppressWarnings("unchecked")
            Selector<X509CertificateHolder> sid = (Selector<X509CertificateHolder>) (Selector<?>) si.getSID();
            matches = sd.getCertificates().getMatches(sid);
        } catch (RuntimeException e) {
            throw fail(RejectionReason.MALFORMED, "the certificates of the payload cannot be decoded");
        }
        if (matches.isEmpty()) {
            throw fail(RejectionReason.UNTRUSTED_SIGNER, "signer certificate is not included in the payload");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(matches.iterator().next());
        } catch (CertificateException | RuntimeException e) {
            throw fail(RejectionReason.MALFORMED, "signer certificate cannot be decoded");
        }
    }

    private static void checkChain(X509Certificate signer, X509Certificate root) {
        if (!Certs.isCa(root)) {
            throw fail(RejectionReason.UNTRUSTED_SIGNER, "pinned payload root is not a CA certificate"
                    + " (basicConstraints CA=true and, when keyUsage is present, keyCertSign)");
        }
        if (Certs.sameSubjectAndKey(signer, root) || !Certs.isIssuedBy(signer, root)) {
            throw fail(RejectionReason.UNTRUSTED_SIGNER, "signer certificate "
                    + signer.getSubjectX500Principal().getName() + " is not issued by the pinned payload root");
        }
        if (!Certs.isEndEntity(signer)) {
            throw fail(RejectionReason.UNTRUSTED_SIGNER, "signer certificate is a CA");
        }
        if (!Certs.allowsDigitalSignature(signer)) {
            throw fail(RejectionReason.UNTRUSTED_SIGNER, "signer certificate lacks keyUsage digitalSignature");
        }
    }

    private static PayloadRejectedException fail(RejectionReason reason, String detail) {
        return new PayloadRejectedException(reason, detail);
    }
}
