package org.trustfleet.payload;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Sha256;

/**
 * The stateful side of payload signing keys: the deployment payload root (one row, created at first need by
 * whichever replica gets there first) and each tenant's signer (created lazily, rotated on demand; retired signers
 * are kept). Private keys exist in the database only sealed by {@link KeyVault} under the {@link MasterKeyProvider}
 * key, and in memory once unsealed; they are never logged or returned.
 */
@ApplicationScoped
public class SigningKeyService {
    private static final Logger LOG = Logger.getLogger(SigningKeyService.class);
    private static final String ROOT_KEY_ID = "payload-root";

    private final AgroalDataSource db;
    private final MasterKeyProvider masterKeys;
    private final Clock clock;
    private final Event<SignerRotated> rotated;
    /**
     * Unsealed signers by id. A signer row never changes (rotation retires it and inserts a new one), so entries
     * need no invalidation; the bound is {@code trustfleet.cache.payload-signers-max-entries}.
     */
    private final BoundedCache<UUID, TenantSigner> signersById;
    private volatile SigningAuthority authority;

    public SigningKeyService(AgroalDataSource db, MasterKeyProvider masterKeys, Clock clock,
            Event<SignerRotated> rotated, TrustfleetConfig config) {
        this.signersById = Caches.bounded("payload-signers", config.cache().payloadSignersMaxEntries());
        this.db = db;
        this.masterKeys = masterKeys;
        this.clock = clock;
        this.rotated = rotated;
    }

    /** How many unsealed signers this replica holds (tests: the bound is applied). */
    long signersKept() {
        return signersById.size();
    }

    /** The deployment payload root, created on first need. */
    @Transactional
    public SigningAuthority authority() {
        SigningAuthority a = authority;
        if (a != null) {
            return a;
        }
        try (Connection c = db.getConnection()) {
            Optional<SigningAuthority> stored = loadRoot(c);
            if (stored.isEmpty()) {
                SigningAuthority fresh = SigningAuthority.generate(UUID.randomUUID().toString(), clock.instant());
                MasterKey master = masterKeys.masterKey();
                try (PreparedStatement s = c.prepareStatement("""
                        INSERT INTO payload_root (id, certificate, sealed_key, master_key_fingerprint, created_at)
                        VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""")) {
                    s.setBytes(1, CertificateEncoder.der(fresh.rootCertificate()));
                    s.setBytes(2, new KeyVault(master).encrypt(ROOT_KEY_ID, fresh.root().privateKey()));
                    s.setString(3, master.fingerprint());
                    s.setTimestamp(4, Timestamp.from(clock.instant()));
                    if (s.executeUpdate() == 1) {
                        LOG.infof("Created the deployment payload root %s", fresh.root().sha256());
                    }
                }
                stored = loadRoot(c);
            }
            a = stored.orElseThrow(() -> new IllegalStateException("payload root missing after insert"));
            authority = a;
            return a;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the payload root", e);
        }
    }

    /** The tenant's active signer, issued on first need. */
    @Transactional
    public ActiveSigner activeSigner(UUID tenantId) {
        try (Connection c = db.getConnection()) {
            Optional<ActiveSigner> active = loadActive(c, tenantId);
            if (active.isPresent()) {
                return active.get();
            }
            SigningAuthority root = authority();
            insertSigner(c, tenantId, root.issueSigner(tenantId, clock.instant()), true);
            return loadActive(c, tenantId)
                    .orElseThrow(() -> new IllegalStateException("payload signer missing after insert"));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the payload signer", e);
        }
    }

    /** The public facts of the tenant's active signer (issued on first need). */
    @Transactional
    public SignerInfo current(UUID tenantId) {
        return info(activeSigner(tenantId).signer());
    }

    /**
     * Retires the tenant's active signer and issues a new one from the same root. Devices keep verifying: they pin
     * the root, not the signer. Payloads are re-signed by the new signer on their next delivery.
     */
    @Transactional
    public SignerInfo rotate(UUID tenantId) {
        SigningAuthority root = authority();
        TenantSigner signer = root.issueSigner(tenantId, clock.instant());
        try (Connection c = db.getConnection()) {
            // rotations of one tenant take turns
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM tenant WHERE id = ? FOR UPDATE")) {
                s.setObject(1, tenantId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw TrustfleetException.notFound("tenant");
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE payload_signer SET retired_at = ? WHERE tenant_id = ? AND retired_at IS NULL")) {
                s.setTimestamp(1, Timestamp.from(clock.instant()));
                s.setObject(2, tenantId);
                s.executeUpdate();
            }
            insertSigner(c, tenantId, signer, false);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot rotate the payload signer", e);
        }
        LOG.infof("Rotated the payload signer of tenant %s; new signer %s", tenantId, signer.signer().sha256());
        rotated.fire(new SignerRotated(tenantId));
        return info(signer);
    }

    private static SignerInfo info(TenantSigner signer) {
        return new SignerInfo(signer.signer().sha256(),
                signer.signer().certificate().getNotAfter().toInstant(), signer.chainPem(), Sha256.of(signer.root()));
    }

    private void insertSigner(Connection c, UUID tenantId, TenantSigner signer, boolean onlyIfNoneActive)
            throws SQLException {
        UUID id = UUID.randomUUID();
        MasterKey master = masterKeys.masterKey();
        X509Certificate cert = signer.signer().certificate();
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO payload_signer (id, tenant_id, certificate, sha256, not_after, sealed_key,
                                            master_key_fingerprint, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""" + (onlyIfNoneActive
                ? " ON CONFLICT (tenant_id) WHERE retired_at IS NULL DO NOTHING" : ""))) {
            s.setObject(1, id);
            s.setObject(2, tenantId);
            s.setBytes(3, CertificateEncoder.der(cert));
            s.setString(4, Sha256.of(cert));
            s.setTimestamp(5, Timestamp.from(cert.getNotAfter().toInstant()));
            s.setBytes(6, new KeyVault(master).encrypt(signerKeyId(id), signer.signer().privateKey()));
            s.setString(7, master.fingerprint());
            s.setTimestamp(8, Timestamp.from(clock.instant()));
            if (s.executeUpdate() == 1) {
                signersById.put(id, signer);
            }
        }
    }

    private Optional<ActiveSigner> loadActive(Connection c, UUID tenantId) throws SQLException {
        UUID id;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id FROM payload_signer WHERE tenant_id = ? AND retired_at IS NULL")) {
            s.setObject(1, tenantId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                id = r.getObject(1, UUID.class);
            }
        }
        TenantSigner cached = signersById.get(id);
        if (cached != null) {
            return Optional.of(new ActiveSigner(id, cached));
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT certificate, sealed_key, master_key_fingerprint FROM payload_signer WHERE id = ?")) {
            s.setObject(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                X509Certificate cert = certificate(r.getBytes(1));
                MasterKey master = checkedMaster(r.getString(3), "payload signer " + id);
                TenantSigner signer = authority().loadSigner(new SigningKey(cert,
                        new KeyVault(master).decrypt(signerKeyId(id), r.getBytes(2))));
                if (!signer.tenantId().equals(tenantId)) {
                    throw new IllegalStateException("payload signer " + id + " names another tenant");
                }
                signersById.put(id, signer);
                return Optional.of(new ActiveSigner(id, signer));
            }
        }
    }

    private Optional<SigningAuthority> loadRoot(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT certificate, sealed_key, master_key_fingerprint FROM payload_root WHERE id = 1");
                ResultSet r = s.executeQuery()) {
            if (!r.next()) {
                return Optional.empty();
            }
            MasterKey master = checkedMaster(r.getString(3), "the payload root");
            return Optional.of(SigningAuthority.of(new SigningKey(certificate(r.getBytes(1)),
                    new KeyVault(master).decrypt(ROOT_KEY_ID, r.getBytes(2)))));
        }
    }

    private MasterKey checkedMaster(String sealedUnder, String what) {
        MasterKey master = masterKeys.masterKey();
        if (!master.fingerprint().equals(sealedUnder)) {
            throw new IllegalStateException("the key of " + what + " was sealed under master key " + sealedUnder
                    + ", but this process has master key " + master.fingerprint()
                    + ": configure the same trustfleet.payload.master-key on every replica");
        }
        return master;
    }

    private static String signerKeyId(UUID id) {
        return "payload-signer:" + id;
    }

    private static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalStateException("stored signing certificate is unreadable", e);
        }
    }
}
