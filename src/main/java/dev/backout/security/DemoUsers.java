package dev.backout.security;

import java.security.SecureRandom;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;
import org.springframework.util.function.SingletonSupplier;

/**
 * Embedded mode's demo users, one per role, created before the server accepts requests.
 * Their shared password is random at first start and printed once, unless configured.
 */
@Component
@ConditionalOnBooleanProperty("backout.demo.enabled")
class DemoUsers implements SmartInitializingSingleton {

	static final Map<String, Role> USERS = demoUsers();

	private static final Logger log = LoggerFactory.getLogger(DemoUsers.class);

	private final UserAccounts accounts;

	private final ConsoleUserRepository users;

	private final AccountProperties properties;

	private final PasswordEncoder encoder;

	DemoUsers(UserAccounts accounts, ConsoleUserRepository users, AccountProperties properties, PasswordEncoder encoder) {
		this.encoder = encoder;
		this.accounts = accounts;
		this.users = users;
		this.properties = properties;
	}

	@Override
	public void afterSingletonsInstantiated() {
		String configured = this.properties.demo().password();
		boolean fixedPassword = StringUtils.hasText(configured);
		String password = fixedPassword ? configured : randomPassword();
		if (fixedPassword) {
			this.accounts.checkPassword(password);
		}
		// One hash for all of them (they share the password anyway): bcrypt is slow on purpose, and
		// seven hashes were a second and a half of every start. A configured password already in
		// place is checked once per distinct hash and not written again.
		Supplier<String> hash = SingletonSupplier.of(() -> this.encoder.encode(password));
		Map<String, Boolean> current = new HashMap<>();
		int created = 0;
		for (Map.Entry<String, Role> user : USERS.entrySet()) {
			var existing = this.users.findByUsername(user.getKey());
			if (existing.isEmpty()) {
				this.accounts.createHashed(user.getKey(), hash.get(), Set.of(user.getValue()), null);
				created++;
			}
			else if (fixedPassword && !current.computeIfAbsent(existing.get().passwordHash(),
					(stored) -> this.encoder.matches(password, stored))) {
				this.accounts.resetPasswordHashed(existing.get().id(), hash.get(), null);
			}
		}
		if (created > 0 && !fixedPassword) {
			log.warn("""

					==================================================================
					  Backout demo users: {}
					  Password (shown only this once): {}
					  Set BACKOUT_DEMO_PASSWORD to choose your own.
					==================================================================""",
					String.join(", ", USERS.keySet()), password);
		}
		else {
			log.info("Demo users: {} ({})", String.join(", ", USERS.keySet()),
					fixedPassword ? "password from BACKOUT_DEMO_PASSWORD" : "password printed at first start");
		}
	}

	private static String randomPassword() {
		String alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
		SecureRandom random = new SecureRandom();
		StringBuilder password = new StringBuilder();
		for (int i = 0; i < 16; i++) {
			if (i > 0 && i % 4 == 0) {
				password.append('-');
			}
			password.append(alphabet.charAt(random.nextInt(alphabet.length())));
		}
		return password.toString();
	}

	private static Map<String, Role> demoUsers() {
		Map<String, Role> users = new LinkedHashMap<>();
		users.put("commander", Role.COMMANDER);
		users.put("lead", Role.TEAM_LEAD);
		users.put("cto", Role.CTO);
		users.put("oncall", Role.ON_CALL);
		users.put("auditor", Role.AUDITOR);
		users.put("admin", Role.ADMIN);
		users.put("author", Role.RUNBOOK_AUTHOR);
		return Collections.unmodifiableMap(users);
	}

}
