package dev.backout.runbook;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param locations folders with runbook files ({@code *.yaml}, {@code *.yml}), read in this order
 */
@ConfigurationProperties("backout.runbooks")
record RunbookProperties(@DefaultValue({ "classpath:runbooks/", "file:./runbooks/" }) List<String> locations) {
}
