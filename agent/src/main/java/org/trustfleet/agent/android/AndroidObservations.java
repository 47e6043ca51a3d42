package org.trustfleet.agent.android;

import android.content.Context;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.os.Build;
import java.io.IOException;
import java.util.List;
import org.trustfleet.agent.DeviceFacts;
import org.trustfleet.agent.ObservationSource;
import org.trustfleet.agent.SystemCaStores;

/**
 * What an Android device reports about itself: {@code Build} (manufacturer, model, release, API level, security
 * patch) and the version of the Conscrypt mainline module when the package manager shows it (an APEX, visible from
 * Android 10 on; null before or when hidden), and the {@code system:} entries of {@code AndroidCAStore}.
 */
public final class AndroidObservations implements ObservationSource {

    /** The Conscrypt mainline module's package names (Google's build, then AOSP's). */
    static final String[] CONSCRYPT_PACKAGES = {"com.google.android.conscrypt", "com.android.conscrypt"};
    /** PackageManager.MATCH_APEX (API 29); the value, so the library still loads on API 24. */
    private static final int MATCH_APEX = 0x40000000;

    private final Context context;

    public AndroidObservations(Context context) {
        this.context = context.getApplicationContext() != null ? context.getApplicationContext() : context;
    }

    @Override
    public DeviceFacts facts() {
        return new DeviceFacts(Build.MANUFACTURER, Build.MODEL, Build.VERSION.RELEASE, Build.VERSION.SDK_INT,
                Build.VERSION.SECURITY_PATCH, mainlineVersion(context.getPackageManager(), Build.VERSION.SDK_INT));
    }

    @Override
    public List<String> systemStoreSha256() throws IOException {
        return SystemCaStores.androidSystemStore();
    }

    /** The Conscrypt module's version code, or null when it cannot be read on this device. */
    static String mainlineVersion(PackageManager pm, int sdk) {
        if (pm == null) {
            return null;
        }
        for (String name : CONSCRYPT_PACKAGES) {
            try {
                PackageInfo info = pm.getPackageInfo(name, sdk >= 29 ? MATCH_APEX : 0);
                if (info != null) {
                    @SuppressWarnings("deprecation")
                    int code = info.versionCode; // the long variant is API 28; module codes fit an int
                    return String.valueOf(code);
                }
            } catch (PackageManager.NameNotFoundException | RuntimeException e) {
                // not this name, or the platform hides it: try the next
            }
        }
        return null;
    }
}
