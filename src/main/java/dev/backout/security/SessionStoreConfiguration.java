package dev.backout.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;

/**
 * Sessions live in the console database (Spring Session JDBC), so a person signed in on one
 * instance is signed in on all. Spring Session writes a session's last access on every request,
 * which made every page view and poll a write. Here the session row is written only when what
 * identifies it changed (a new id at sign-in, its principal, its timeout) or its last access moved
 * by {@link #ACCESS_PRECISION_MILLIS} or more. Sessions last hours; ending one up to a minute
 * early is of no account. Attributes are written as before.
 */
@Configuration(proxyBeanMethods = false)
class SessionStoreConfiguration {

	static final long ACCESS_PRECISION_MILLIS = 60_000;

	/**
	 * Spring Session's update with its six parameters in its order, skipping a row it would not
	 * change ({@code %%} keeps the table name placeholder through {@code formatted}).
	 */
	static final String UPDATE_SESSION = """
			UPDATE %%TABLE_NAME%% AS s
			SET SESSION_ID = v.session_id, LAST_ACCESS_TIME = v.last_access_time,
			    MAX_INACTIVE_INTERVAL = v.max_inactive_interval, EXPIRY_TIME = v.expiry_time, PRINCIPAL_NAME = v.principal_name
			FROM (VALUES (CAST(? AS CHAR(36)), CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS VARCHAR(100)),
			              CAST(? AS CHAR(36))))
			    AS v (session_id, last_access_time, max_inactive_interval, expiry_time, principal_name, primary_id)
			WHERE s.PRIMARY_ID = v.primary_id
			AND (s.SESSION_ID <> v.session_id OR s.MAX_INACTIVE_INTERVAL <> v.max_inactive_interval
			     OR s.PRINCIPAL_NAME IS DISTINCT FROM v.principal_name
			     OR v.last_access_time - s.LAST_ACCESS_TIME >= %d)
			""".formatted(ACCESS_PRECISION_MILLIS);

	@Bean
	SessionRepositoryCustomizer<JdbcIndexedSessionRepository> sessionWritesOnChange() {
		return (repository) -> repository.setUpdateSessionQuery(UPDATE_SESSION);
	}

}
