package org.trustfleet.agent.android;

import android.app.admin.DevicePolicyManager;
import android.content.ComponentName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Implementation;
import org.robolectric.annotation.Implements;
import org.robolectric.shadows.ShadowDevicePolicyManager;

/**
 * Robolectric 4.14's DevicePolicyManager shadow keeps owners, admins and delegations but not the user CA store; this
 * adds the four CA calls with the framework's rules (DevicePolicyManagerService): an admin component must be the
 * device or profile owner, a null admin needs the caller's {@code DELEGATION_CERT_INSTALL}, otherwise
 * SecurityException; installing a present certificate succeeds without a second copy; removing an absent one is a
 * no-op. Everything else stays the stock shadow's.
 */
@Implements(DevicePolicyManager.class)
public class ShadowCaDevicePolicyManager extends ShadowDevicePolicyManager {

    private final List<byte[]> userCaStore = new ArrayList<>();
    int installCalls;
    int uninstallCalls;

    private void enforceCertInstaller(ComponentName admin) {
        String pkg = RuntimeEnvironment.getApplication().getPackageName();
        if (admin != null) {
            if (!isDeviceOwnerApp(admin.getPackageName()) && !isProfileOwnerApp(admin.getPackageName())) {
                throw new SecurityException("Admin " + admin + " does not own the device or profile");
            }
            return;
        }
        List<String> scopes = getDelegatedScopes(null, pkg);
        if (scopes == null || !scopes.contains(DevicePolicyManager.DELEGATION_CERT_INSTALL)) {
            throw new SecurityException("Caller " + pkg + " has no " + DevicePolicyManager.DELEGATION_CERT_INSTALL
                    + " delegation");
        }
    }

    private int indexOf(byte[] der) {
        for (int i = 0; i < userCaStore.size(); i++) {
            if (Arrays.equals(userCaStore.get(i), der)) {
                return i;
            }
        }
        return -1;
    }

    @Implementation
    protected boolean installCaCert(ComponentName admin, byte[] certBuffer) {
        enforceCertInstaller(admin);
        installCalls++;
        if (indexOf(certBuffer) < 0) {
            userCaStore.add(certBuffer.clone());
        }
        return true;
    }

    @Implementation
    protected void uninstallCaCert(ComponentName admin, byte[] certBuffer) {
        enforceCertInstaller(admin);
        uninstallCalls++;
        int i = indexOf(certBuffer);
        if (i >= 0) {
            userCaStore.remove(i);
        }
    }

    @Implementation
    protected List<byte[]> getInstalledCaCerts(ComponentName admin) {
        enforceCertInstaller(admin);
        List<byte[]> out = new ArrayList<>();
        for (byte[] b : userCaStore) {
            out.add(b.clone());
        }
        return out;
    }

    @Implementation
    protected boolean hasCaCertInstalled(ComponentName admin, byte[] certBuffer) {
        enforceCertInstaller(admin);
        return indexOf(certBuffer) >= 0;
    }
}
