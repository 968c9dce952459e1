package dev.backout.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Accounts created by the console itself.
 *
 * @param demo demo users of embedded mode
 * @param admin the first administrator of external mode
 */
@ConfigurationProperties("backout")
record AccountProperties(Demo demo, Admin admin) {

	AccountProperties {
		demo = (demo != null) ? demo : new Demo(false, null);
		admin = (admin != null) ? admin : new Admin(null, null);
	}

	/**
	 * @param enabled seed demo users (default: in embedded mode)
	 * @param password their password ({@code BACKOUT_DEMO_PASSWORD}); random when unset
	 */
	record Demo(boolean enabled, String password) {
	}

	/**
	 * @param username {@code BACKOUT_ADMIN_USERNAME}
	 * @param password {@code BACKOUT_ADMIN_PASSWORD}
	 */
	record Admin(String username, String password) {
	}

}
