package dev.backout.security;

import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * External mode has no demo users: on first start with an empty user table, the first
 * administrator comes from {@code BACKOUT_ADMIN_USERNAME}/{@code BACKOUT_ADMIN_PASSWORD},
 * and without them the console refuses to start rather than run with nobody able to sign in.
 */
@Component
@ConditionalOnBooleanProperty(name = "backout.demo.enabled", havingValue = false, matchIfMissing = true)
class InitialAdmin implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(InitialAdmin.class);

	private final UserAccounts accounts;

	private final AccountProperties properties;

	InitialAdmin(UserAccounts accounts, AccountProperties properties) {
		this.accounts = accounts;
		this.properties = properties;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (!this.accounts.isEmpty()) {
			return;
		}
		AccountProperties.Admin admin = this.properties.admin();
		if (!StringUtils.hasText(admin.username()) || !StringUtils.hasText(admin.password())) {
			throw new MissingAdminException();
		}
		try {
			this.accounts.create(admin.username(), admin.password(), Set.of(Role.ADMIN), null);
		}
		catch (UserAccountException ex) {
			throw new MissingAdminException(ex.getMessage());
		}
		log.info("Created the first administrator '{}' from BACKOUT_ADMIN_USERNAME", admin.username());
	}

}
