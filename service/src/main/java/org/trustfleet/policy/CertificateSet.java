package org.trustfleet.policy;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.trustfleet.pki.Sha256;

/**
 * The certificates of one version of a group's requirement set, parsed and with their roles: what the payload side
 * (signed payloads, console exports) delivers, handed over typed so that it neither looks certificates up by
 * fingerprint nor parses roles back from text.
 */
public record CertificateSet(UUID groupId, long version, List<Member> certificates) {

    public CertificateSet {
        Objects.requireNonNull(groupId, "groupId");
        certificates = List.copyOf(certificates);
    }

    /** One certificate of the set and its role. */
    public record Member(X509Certificate certificate, CertificateRole role) {
        public Member {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(role, "role");
        }

        public String sha256() {
            return Sha256.of(certificate);
        }
    }

    /** The certificates alone, in the set's order. */
    public List<X509Certificate> x509() {
        return certificates.stream().map(Member::certificate).toList();
    }
}
