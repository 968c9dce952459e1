package dev.backout.system;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Periodic work (e.g. marking incidents overdue). Every scheduled job is safe to run on several
 * console instances at once: each claims its rows with a conditional UPDATE.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class SchedulingConfiguration {

}
