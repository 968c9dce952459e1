package dev.backout.target;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param secretKey base64 of 32 random bytes ({@code BACKOUT_SECRET_KEY})
 * @param secretKeyFile where embedded mode keeps a generated key when none is configured
 * @param embedded whether the console runs embedded (only then may it generate a key)
 */
@ConfigurationProperties("backout")
record SecretKeyProperties(String secretKey, Path secretKeyFile, Embedded embedded) {

	record Embedded(boolean enabled) {
	}

	boolean embeddedMode() {
		return this.embedded != null && this.embedded.enabled();
	}

}
