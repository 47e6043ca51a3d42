package org.trustfleet.payload;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignerDigestMismatchException;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.util.Selector;
import org.trustfleet.pki.Certificates;

/**
 * Verifies a payload produced by {@link CmsPayloadSigner} against a pinned payload root and an expected tenant. The
 * trust decision uses only the pinned root: the signer certificate is taken from the CMS but must be issued directly
 * by the root (chain length 2), be valid now, not be a CA, carry keyUsage digitalSignature and name the tenant.
 * Other certificates in the CMS are ignored.
 *
 * <p>Check order (the first failing check gives the reason): structure ({@code MALFORMED}), algorithms
 * ({@code UNSUPPORTED_ALGORITHM}), signer chain ({@code UNTRUSTED_SIGNER}), validity ({@code SIGNER_EXPIRED}),
 * signature ({@code BAD_SIGNATURE}), tenant in the certificate ({@code WRONG_TENANT}), JSON ({@code MALFORMED}),
 * tenant in the document ({@code WRONG_TENANT}). Payload freshness ({@code expiresAt}) and rollback are the caller's
 * checks, since they need device state.
 */
public final class CmsPayloadVerifier {

    /** Larger inputs are refused as MALFORMED before parsing. */
    public static final int MAX_CMS_BYTES = PayloadJson.MAX_BYTES + 64 * 1024;

    private static final Set<String> DIGESTS = Set.of(
            "2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2", "2.16.840.1.101.3.4.2.3");
    /** ecdsa-with-SHA256/384/512, and id-ecPublicKey which some signers put in signatureAlgorithm. */
    private static final Set<String> SIGNATURES = Set.of(
            "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", "1.2.840.10045.2.1");

    private final Clock clock;

    /** Verifies certificate validity against the system clock. */
    public CmsPayloadVerifier() {
        this(Clock.systemUTC());
    }

    public CmsPayloadVerifier(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** See the class comment; returns the signed bytes and the parsed document, or throws with a reason. */
    public VerifiedPayload verify(byte[] cms, X509Certificate pinnedRoot, UUID expectedTenantId)
            throws PayloadVerificationException {
        Objects.requireNonNull(pinnedRoot, "pinnedRoot");
        Objects.requireNonNull(expectedTenantId, "expectedTenantId");
        if (cms == null || cms.length == 0) {
            throw fail(VerificationFailure.MALFORMED, "empty payload");
        }
        if (cms.length > MAX_CMS_BYTES) {
            throw fail(VerificationFailure.MALFORMED, "payload larger than " + MAX_CMS_BYTES + " bytes");
        }
        CMSSignedData sd;
        byte[] content;
        SignerInformation si;
        // Bouncy Castle decodes the inner structures lazily, on first access, and throws unchecked exceptions
        // (IllegalArgumentException, ClassCastException, ...) for malformed ones: every structural read is guarded
        try {
            sd = new CMSSignedData(cms);
            CMSTypedData signed = sd.getSignedContent();
            if (signed == null || !(signed.getContent() instanceof byte[] bytes)) {
                throw fail(VerificationFailure.MALFORMED, "no encapsulated content (detached signature)");
            }
            content = bytes;
            if (!CMSObjectIdentifiers.data.getId().equals(sd.getSignedContentTypeOID())) {
                throw fail(VerificationFailure.MALFORMED, "encapsulated content type is not id-data");
            }
            Collection<SignerInformation> signers = sd.getSignerInfos().getSigners();
            if (signers.size() != 1) {
                throw fail(VerificationFailure.MALFORMED, "expected exactly one signer, found " + signers.size());
            }
            si = signers.iterator().next();
            if (si.getSignedAttributes() == null) {
                throw fail(VerificationFailure.MALFORMED, "signer has no signed attributes");
            }
            si.getDigestAlgOID();
            si.getEncryptionAlgOID();
        } catch (CMSException | RuntimeException e) {
            throw fail(VerificationFailure.MALFORMED, "not a well-formed CMS SignedData");
        }
        if (!DIGESTS.contains(si.getDigestAlgOID())) {
            throw fail(VerificationFailure.UNSUPPORTED_ALGORITHM, "digest algorithm " + si.getDigestAlgOID());
        }
        if (!SIGNATURES.contains(si.getEncryptionAlgOID())) {
            throw fail(VerificationFailure.UNSUPPORTED_ALGORITHM, "signature algorithm " + si.getEncryptionAlgOID());
        }

        X509Certificate signer = findSigner(sd, si);
        checkChain(signer, pinnedRoot);
        Instant now = clock.instant();
        if (!Certificates.isValidAt(pinnedRoot, now)) {
            throw fail(VerificationFailure.SIGNER_EXPIRED, "pinned payload root is not valid at " + now);
        }
        if (!Certificates.isValidAt(signer, now)) {
            throw fail(VerificationFailure.SIGNER_EXPIRED, "signer certificate (valid "
                    + signer.getNotBefore().toInstant() + " to " + signer.getNotAfter().toInstant()
                    + ") is not valid at " + now);
        }
        try {
            if (!si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(signer.getPublicKey()))) {
                throw fail(VerificationFailure.BAD_SIGNATURE, "signature does not verify");
            }
        } catch (CMSSignerDigestMismatchException e) {
            throw fail(VerificationFailure.BAD_SIGNATURE, "content does not match the signed message digest");
        } catch (CMSException | RuntimeException e) {
            throw fail(VerificationFailure.BAD_SIGNATURE, "signature does not verify");
        } catch (OperatorCreationException e) {
            throw fail(VerificationFailure.UNSUPPORTED_ALGORITHM, "cannot build a verifier for the signer key");
        }

        UUID certTenant = SignerIdentity.tenantOf(signer).orElseThrow(
                () -> fail(VerificationFailure.UNTRUSTED_SIGNER, "signer certificate names no tenant"));
        if (!certTenant.equals(expectedTenantId)) {
            throw fail(VerificationFailure.WRONG_TENANT, "signed by the signer of tenant " + certTenant);
        }
        PayloadDocument doc;
        try {
            doc = PayloadJson.read(content);
        } catch (PayloadFormatException e) {
            throw fail(VerificationFailure.MALFORMED, e.getMessage());
        }
        if (!doc.tenantId().equals(expectedTenantId)) {
            throw fail(VerificationFailure.WRONG_TENANT, "document names tenant " + doc.tenantId());
        }
        return new VerifiedPayload(content.clone(), doc, signer, signingTime(si));
    }

    private static X509Certificate findSigner(CMSSignedData sd, SignerInformation si)
            throws PayloadVerificationException {
        Collection<X509CertificateHolder> matches;
        try {
            @SuppressWarnings("unchecked")
            Selector<X509CertificateHolder> sid = (Selector<X509CertificateHolder>) (Selector<?>) si.getSID();
            matches = sd.getCertificates().getMatches(sid);
        } catch (RuntimeException e) { // a malformed certificates set, decoded lazily
            throw fail(VerificationFailure.MALFORMED, "the certificates of the payload cannot be decoded");
        }
        if (matches.isEmpty()) {
            throw fail(VerificationFailure.UNTRUSTED_SIGNER, "signer certificate is not included in the payload");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(matches.iterator().next());
        } catch (CertificateException | RuntimeException e) {
            throw fail(VerificationFailure.MALFORMED, "signer certificate cannot be decoded");
        }
    }

    private static void checkChain(X509Certificate signer, X509Certificate root) throws PayloadVerificationException {
        if (!Certificates.isCaCertificate(root)) {
            throw fail(VerificationFailure.UNTRUSTED_SIGNER, "pinned payload root is not a CA certificate"
                    + " (basicConstraints CA=true and, when keyUsage is present, keyCertSign)");
        }
        if (Certificates.sameSubjectAndKey(signer, root) || !Certificates.isIssuedBy(signer, root)) {
            throw fail(VerificationFailure.UNTRUSTED_SIGNER, "signer certificate "
                    + signer.getSubjectX500Principal().getName() + " is not issued by the pinned payload root");
        }
        if (!Certificates.isEndEntity(signer)) {
            throw fail(VerificationFailure.UNTRUSTED_SIGNER, "signer certificate is a CA");
        }
        if (!Certificates.allowsDigitalSignature(signer)) {
            throw fail(VerificationFailure.UNTRUSTED_SIGNER, "signer certificate lacks keyUsage digitalSignature");
        }
    }

    private static Optional<Instant> signingTime(SignerInformation si) {
        try {
            AttributeTable t = si.getSignedAttributes();
            Attribute a = t == null ? null : t.get(CMSAttributes.signingTime);
            if (a == null || a.getAttrValues().size() != 1) {
                return Optional.empty();
            }
            ASN1Encodable v = a.getAttrValues().getObjectAt(0);
            return Optional.of(Time.getInstance(v).getDate().toInstant());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static PayloadVerificationException fail(VerificationFailure reason, String message) {
        return new PayloadVerificationException(reason, message);
    }
}
