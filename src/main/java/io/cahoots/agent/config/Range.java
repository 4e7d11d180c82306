package io.cahoots.agent.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The bounds of a typed setting, inclusive, written in the setting's own syntax (its {@link Syntax.Kind}), next to
 * its {@code @WithDefault}. {@link SettingErrors#checked} enforces them; the one-line error of a value that does not
 * even convert states them too.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Range {

    /** Empty: no lower bound beyond the kind's own. */
    String min() default "";

    /** Empty: no upper bound beyond the kind's own. */
    String max() default "";
}
