package org.trustfleet.agent.android;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import android.app.Application;
import android.app.admin.DevicePolicyManager;
import android.content.ComponentName;
import android.content.Context;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;
import org.robolectric.shadow.api.Shadow;
import org.trustfleet.agent.CaStore;
import org.trustfleet.agent.Certs;
import org.trustfleet.agent.TestCerts;

/** The Android binding on Robolectric's framework: real DevicePolicyManager calls, owners and delegation. */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35, shadows = ShadowCaDevicePolicyManager.class)
public class DevicePolicyManagerCaStoreTest {

    private static final TestCerts.Cert ROOT_A = TestCerts.root("Agent Root A");
    private static final TestCerts.Cert INT_B = ROOT_A.issueIntermediate("Agent Issuing B");
    private static final TestCerts.Cert USER_CA = TestCerts.root("User Installed CA");

    private Application app;
    private DevicePolicyManager dpm;
    private ShadowCaDevicePolicyManager shadow;
    private ComponentName admin;

    @Before
    public void owner() {
        app = RuntimeEnvironment.getApplication();
        dpm = (DevicePolicyManager) app.getSystemService(Context.DEVICE_POLICY_SERVICE);
        shadow = Shadow.extract(dpm);
        admin = new ComponentName(app, "com.example.dpc.AdminReceiver");
        shadow.setDeviceOwner(admin);
    }

    private List<String> installedSha256() {
        List<String> out = new ArrayList<>();
        for (byte[] der : dpm.getInstalledCaCerts(admin)) {
            out.add(Certs.sha256Hex(der));
        }
        Collections.sort(out);
        return out;
    }

    @Test
    public void installsThroughDevicePolicyManagerAndRemembersOwnership() throws Exception {
        DevicePolicyManagerCaStore store = new DevicePolicyManagerCaStore(app, admin);
        assertThat(store.presence(ROOT_A.sha256())).isEqualTo(CaStore.Presence.ABSENT);
        store.install(ROOT_A.cert());
        assertThat(dpm.hasCaCertInstalled(admin, ROOT_A.cert().getEncoded())).isTrue();
        assertThat(store.presence(ROOT_A.sha256())).isEqualTo(CaStore.Presence.PRESENT);
        assertThat(store.ownedSha256()).containsExactly(ROOT_A.sha256());
        assertThat(store.certificates()).containsExactly(ROOT_A.cert());
    }

    @Test
    public void alreadyPresentCertificateIsSkippedAndNotClaimed() throws Exception {
        dpm.installCaCert(admin, INT_B.cert().getEncoded()); // the user (or another app) put it there
        int calls = shadow.installCalls;
        DevicePolicyManagerCaStore store = new DevicePolicyManagerCaStore(app, admin);
        store.install(INT_B.cert());
        assertThat(shadow.installCalls).isEqualTo(calls);
        assertThat(store.ownedSha256()).isEmpty();
        store.uninstall(INT_B.sha256());
        assertThat(dpm.hasCaCertInstalled(admin, INT_B.cert().getEncoded())).isTrue();
    }

    @Test
    public void removesOnlyWhatItInstalledAndNeverAUserCa() throws Exception {
        dpm.installCaCert(admin, USER_CA.cert().getEncoded());
        DevicePolicyManagerCaStore store = new DevicePolicyManagerCaStore(app, admin);
        store.install(ROOT_A.cert());
        store.install(INT_B.cert());

        store.uninstall(USER_CA.sha256()); // never ours: refused silently, the CA stays
        store.uninstall(ROOT_A.sha256());
        assertThat(installedSha256()).containsExactlyInAnyOrder(USER_CA.sha256(), INT_B.sha256());
        assertThat(store.ownedSha256()).containsExactly(INT_B.sha256());
    }

    @Test
    public void ownershipSurvivesAProcessRestart() throws Exception {
        dpm.installCaCert(admin, USER_CA.cert().getEncoded());
        new DevicePolicyManagerCaStore(app, admin).install(ROOT_A.cert());

        // a new process: a new store object over the same SharedPreferences file
        DevicePolicyManagerCaStore restarted = new DevicePolicyManagerCaStore(app, admin);
        assertThat(restarted.ownedSha256()).containsExactly(ROOT_A.sha256());
        restarted.uninstall(ROOT_A.sha256());
        restarted.uninstall(USER_CA.sha256());
        assertThat(installedSha256()).containsExactly(USER_CA.sha256());
        assertThat(new DevicePolicyManagerCaStore(app, admin).ownedSha256()).isEmpty();
    }

    @Test
    public void delegateWithCertInstallScopeUsesNullAdmin() throws Exception {
        dpm.setDelegatedScopes(admin, app.getPackageName(),
                Collections.singletonList(DevicePolicyManager.DELEGATION_CERT_INSTALL));
        DevicePolicyManagerCaStore delegate = new DevicePolicyManagerCaStore(app, null);
        delegate.install(ROOT_A.cert());
        assertThat(dpm.hasCaCertInstalled(admin, ROOT_A.cert().getEncoded())).isTrue();
        delegate.uninstall(ROOT_A.sha256());
        assertThat(installedSha256()).isEmpty();
    }

    @Test
    public void withoutOwnerOrDelegationTheFrameworkRefuses() {
        DevicePolicyManagerCaStore noDelegation = new DevicePolicyManagerCaStore(app, null);
        assertThatThrownBy(() -> noDelegation.install(ROOT_A.cert())).isInstanceOf(SecurityException.class);
        assertThat(noDelegation.ownedSha256()).isEmpty();
    }
}
