package org.trustfleet.agent.jvm;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class that runs only on the JVM (the reference agent), so the build's Android API 24 check skips it; the
 * core library and the android binding carry no such mark and are checked.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR})
public @interface JvmOnly {
}
