package org.trustfleet.payload;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.UUID;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.policy.DeviceGroup;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.policy.CertificateSet;
import org.trustfleet.policy.ManagementMode;
import org.trustfleet.policy.RequirementsService;
import org.trustfleet.pki.Sha256;

/** Payload definitions for MDM consoles: a group's current set in the console's format. */
@ApplicationScoped
public class ExportService {
    private final DeviceGroupService groups;
    private final RequirementsService requirements;

    /** An export and the requirements version it was made from. */
    public record Export(ConsoleExport.Rendered rendered, long version) {}

    public ExportService(DeviceGroupService groups, RequirementsService requirements) {
        this.groups = groups;
        this.requirements = requirements;
    }

    /** @param sha256 for DER: which certificate of the set (optional when the set has exactly one) */
    @Transactional
    public Export export(UUID tenantId, UUID groupId, String formatName, String sha256) {
        ExportFormat format = ExportFormat.fromWire(formatName == null ? "" : formatName)
                .orElseThrow(() -> TrustfleetException.validation(
                        "'format' must be one of: amapi-onc, intune-graph, pem, der, pkcs7"));
        DeviceGroup group = groups.get(tenantId, groupId);
        CertificateSet current = requirements.certificateSet(tenantId, groupId);
        List<X509Certificate> certificates = current.x509();
        if (format == ExportFormat.DER) {
            certificates = oneForDer(certificates, sha256);
        } else if (sha256 != null) {
            throw TrustfleetException.validation("'sha256' applies only to format=der");
        }
        ConsoleExport.Rendered rendered = ConsoleExport.render(format, group.name(),
                group.managementMode() == ManagementMode.WORK_PROFILE, certificates);
        return new Export(rendered, current.version());
    }

    private static List<X509Certificate> oneForDer(List<X509Certificate> certificates, String sha256) {
        if (sha256 != null) {
            String wanted = Sha256.parse(sha256).orElse(sha256);
            return List.of(certificates.stream().filter(c -> Sha256.of(c).equals(wanted)).findFirst()
                    .orElseThrow(() -> TrustfleetException.notFound("certificate in this group's set")));
        }
        if (certificates.size() != 1) {
            throw new TrustfleetException(ErrorKind.VALIDATION, "format=der holds one certificate and this group's"
                    + " set has " + certificates.size() + ": pass 'sha256' to pick one, or use pem or pkcs7");
        }
        return certificates;
    }
}
