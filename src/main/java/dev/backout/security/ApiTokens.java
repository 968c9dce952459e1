package dev.backout.security;

import java.sql.Timestamp;
import java.time.Clock;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Personal API tokens for the REST API. A token is 32 random bytes shown once; only its
 * SHA-256 is stored, so a copy of the database does not yield usable tokens.
 */
@Service
public class ApiTokens {

	static final String PREFIX = "bo_";

	private final JdbcClient jdbc;

	private final ConsoleUserRepository users;

	private final AuditTrail trail;

	private final SecureRandom random = new SecureRandom();

	private final ApiTokenProperties properties;

	private final Clock clock;

	ApiTokens(JdbcClient jdbc, ConsoleUserRepository users, AuditTrail trail, ApiTokenProperties properties, Clock clock) {
		this.jdbc = jdbc;
		this.users = users;
		this.trail = trail;
		this.properties = properties;
		this.clock = clock;
	}

	/** The token, in clear, for the one time it is shown. */
	public record Created(ApiToken token, String secret) {
	}

	/**
	 * Creates a token for the signed-in person. Only from a signed-in session: a token cannot mint
	 * more tokens (and so outlive its own expiry or revocation).
	 */
	@Transactional
	public Created create(Authentication owner, String name) {
		if (owner.getDetails() instanceof ApiTokenDetails) {
			throw new UserAccountException("Tokens are created from a signed-in session, not with another token.");
		}
		if (name == null || name.isBlank() || name.length() > 80) {
			throw new UserAccountException("Give the token a name of up to 80 characters, e.g. 'chat bot'.");
		}
		ConsoleUser user = this.users.findByUsername(owner.getName()).orElseThrow();
		byte[] bytes = new byte[32];
		this.random.nextBytes(bytes);
		String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		long id = this.jdbc.sql("""
				insert into api_token (console_user, name, token_hash, prefix, expires_at)
				values (:user, :name, :hash, :prefix, :expires) returning id
				""")
			.param("user", user.id())
			.param("expires", Timestamp.from(this.clock.instant().plus(this.properties.lifetime())))
			.param("name", name.trim())
			.param("hash", sha256(secret))
			.param("prefix", secret.substring(0, 10))
			.query(Long.class)
			.single();
		this.trail.record(AuditEntry.by(owner, "API_TOKEN_CREATED", Map.of("token", name.trim(), "prefix", secret.substring(0, 10),
				"lifetimeDays", this.properties.lifetime().toDays())));
		return new Created(find(owner.getName(), id).orElseThrow(), secret);
	}

	@Transactional
	public void revoke(Authentication owner, long id) {
		ApiToken token = find(owner.getName(), id).orElseThrow(() -> new UserAccountException("No such token of yours."));
		this.jdbc.sql("update api_token set revoked_at = now() where id = :id and revoked_at is null").param("id", id).update();
		this.trail.record(AuditEntry.by(owner, "API_TOKEN_REVOKED", Map.of("token", token.name(), "prefix", token.prefix())));
	}

	@Transactional(readOnly = true)
	public List<ApiToken> of(String username) {
		return this.jdbc.sql("""
				select t.id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at, t.expires_at
				from api_token t join console_user u on u.id = t.console_user where u.username = :username order by t.id desc
				""").param("username", username).query(ApiTokens::map).list();
	}

	/** The user an active, unexpired token belongs to; marks the token used. */
	@Transactional
	Optional<String> authenticate(String secret) {
		if (secret == null || !secret.startsWith(PREFIX)) {
			return Optional.empty();
		}
		return this.jdbc.sql("""
				update api_token t set last_used_at = now() from console_user u
				where t.console_user = u.id and t.token_hash = :hash and t.revoked_at is null and u.enabled
				  and t.expires_at > :now
				returning u.username
				""").param("hash", sha256(secret)).param("now", Timestamp.from(this.clock.instant())).query(String.class).optional();
	}

	private Optional<ApiToken> find(String username, long id) {
		return of(username).stream().filter((t) -> t.id() == id).findFirst();
	}

	private static ApiToken map(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
		java.sql.Timestamp used = rs.getTimestamp("last_used_at");
		java.sql.Timestamp revoked = rs.getTimestamp("revoked_at");
		return new ApiToken(rs.getLong("id"), rs.getString("name"), rs.getString("prefix"),
				rs.getTimestamp("created_at").toInstant(), (used != null) ? used.toInstant() : null,
				(revoked != null) ? revoked.toInstant() : null, rs.getTimestamp("expires_at").toInstant());
	}

	static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
