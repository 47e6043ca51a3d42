package org.trustfleet.agent.android;

import static org.assertj.core.api.Assertions.assertThat;

import android.app.Application;
import android.content.pm.PackageInfo;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowBuild;
import org.robolectric.shadows.ShadowPackageManager;
import org.robolectric.Shadows;
import org.trustfleet.agent.DeviceFacts;

/** Device facts read from the framework's Build and PackageManager (Robolectric). */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35)
public class AndroidObservationsTest {

    @Test
    public void factsComeFromBuildAndTheConscryptModule() {
        ShadowBuild.setManufacturer("Google");
        ShadowBuild.setModel("Pixel 7");
        ShadowBuild.setVersionRelease("15");
        ShadowBuild.setVersionSecurityPatch("2026-10-05");
        Application app = RuntimeEnvironment.getApplication();
        ShadowPackageManager pm = Shadows.shadowOf(app.getPackageManager());
        PackageInfo conscrypt = new PackageInfo();
        conscrypt.packageName = "com.google.android.conscrypt";
        conscrypt.versionCode = 341157000;
        pm.installPackage(conscrypt);

        DeviceFacts f = new AndroidObservations(app).facts();
        assertThat(f).isEqualTo(new DeviceFacts("Google", "Pixel 7", "15", 35, "2026-10-05", "341157000"));
    }

    @Test
    public void mainlineVersionIsNullWhenTheModuleIsNotVisible() {
        ShadowBuild.setManufacturer("Acme");
        DeviceFacts f = new AndroidObservations(RuntimeEnvironment.getApplication()).facts();
        assertThat(f.manufacturer()).isEqualTo("Acme");
        assertThat(f.apiLevel()).isEqualTo(35);
        assertThat(f.mainlineVersion()).isNull();
    }
}
