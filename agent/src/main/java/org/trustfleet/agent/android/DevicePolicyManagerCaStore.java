package org.trustfleet.agent.android;

import android.app.admin.DevicePolicyManager;
import android.content.ComponentName;
import android.content.Context;
import android.content.SharedPreferences;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bouncycastle.util.encoders.Base64;
import org.trustfleet.agent.CaStore;
import org.trustfleet.agent.Certs;

/**
 * The agent's CA store on Android: {@code DevicePolicyManager.installCaCert}, {@code uninstallCaCert},
 * {@code getInstalledCaCerts} and {@code hasCaCertInstalled}, called by a device owner or profile owner (pass its
 * admin component) or by an app the owner delegated {@code DevicePolicyManager.DELEGATION_CERT_INSTALL} to (pass
 * null). Every certificate this store installs is remembered in its own SharedPreferences file (written with
 * {@code commit()}, before the install, so a process killed mid-way still knows), and {@link #uninstall} removes only
 * those: CAs the user or another app installed are never touched, across process restarts. A certificate that was
 * already installed is left alone and not claimed.
 */
public final class DevicePolicyManagerCaStore implements CaStore {

    /** The SharedPreferences file that remembers what this store installed. */
    public static final String PREFERENCES = "org.trustfleet.agent.ca-store";
    private static final String KEY_PREFIX = "installed.";

    private final DevicePolicyManager dpm;
    private final ComponentName admin;
    private final SharedPreferences owned;

    /**
     * @param context any context of the app
     * @param admin   the device/profile owner's admin component, or null when the app holds the
     *                {@code DELEGATION_CERT_INSTALL} delegation
     */
    public DevicePolicyManagerCaStore(Context context, ComponentName admin) {
        this.dpm = (DevicePolicyManager) context.getSystemService(Context.DEVICE_POLICY_SERVICE);
        if (dpm == null) {
            throw new IllegalStateException("no DevicePolicyManager on this device");
        }
        this.admin = admin;
        this.owned = context.getSharedPreferences(PREFERENCES, Context.MODE_PRIVATE);
    }

    @Override
    public Presence presence(String sha256) {
        for (byte[] der : installed()) {
            if (Certs.sha256Hex(der).equals(sha256)) {
                return Presence.PRESENT;
            }
        }
        return Presence.ABSENT;
    }

    @Override
    public void install(X509Certificate certificate) throws IOException {
        byte[] der = Certs.der(certificate);
        if (dpm.hasCaCertInstalled(admin, der)) {
            return; // someone's already: not ours to claim
        }
        String key = KEY_PREFIX + Certs.sha256(certificate);
        if (!owned.edit().putString(key, new String(Base64.encode(der), "US-ASCII")).commit()) {
            throw new IOException("cannot record the certificate before installing it");
        }
        if (!dpm.installCaCert(admin, der)) {
            owned.edit().remove(key).commit();
            throw new IOException("installCaCert refused the certificate");
        }
    }

    @Override
    public void uninstall(String sha256) throws IOException {
        String key = KEY_PREFIX + sha256;
        String b64 = owned.getString(key, null);
        if (b64 == null) {
            return; // not installed by this agent: never removed
        }
        byte[] der = Base64.decode(b64);
        if (dpm.hasCaCertInstalled(admin, der)) {
            dpm.uninstallCaCert(admin, der);
            if (dpm.hasCaCertInstalled(admin, der)) {
                throw new IOException("uninstallCaCert left the certificate installed");
            }
        }
        if (!owned.edit().remove(key).commit()) {
            throw new IOException("cannot forget the removed certificate");
        }
    }

    @Override
    public List<X509Certificate> certificates() {
        List<X509Certificate> out = new ArrayList<X509Certificate>();
        for (byte[] der : installed()) {
            try {
                out.add(Certs.fromDer(der));
            } catch (IllegalArgumentException e) {
                // an entry the platform holds but cannot be parsed here: not one of ours either way
            }
        }
        return out;
    }

    @Override
    public String describe(String sha256) {
        return "the CA " + sha256;
    }

    /** The certificates this store installed and has not removed (sorted SHA-256s). */
    public List<String> ownedSha256() {
        TreeSet<String> out = new TreeSet<String>();
        for (Map.Entry<String, ?> e : owned.getAll().entrySet()) {
            if (e.getKey().startsWith(KEY_PREFIX)) {
                out.add(e.getKey().substring(KEY_PREFIX.length()));
            }
        }
        return new ArrayList<String>(out);
    }

    private List<byte[]> installed() {
        List<byte[]> all = dpm.getInstalledCaCerts(admin);
        return all == null ? new ArrayList<byte[]>() : all;
    }
}
