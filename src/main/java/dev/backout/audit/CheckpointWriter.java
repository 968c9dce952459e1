package dev.backout.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Which instance writes the trail's checkpoints: the one holding a PostgreSQL session advisory
 * lock on a connection of its own. Several instances share one checkpoint file (a shared volume),
 * and two writers would number their lines from the same last one. The lock goes with its
 * connection: when the writer dies, the next instance to ask takes over.
 */
@Component
class CheckpointWriter implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(CheckpointWriter.class);

	/** 'BOCP': the checkpoint writer's lock. */
	static final long LOCK = 0x424F4350L;

	private final DataSource dataSource;

	private Connection held;

	CheckpointWriter(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/** Whether this instance is the writer now, taking the role when nobody holds it. */
	synchronized boolean isThisInstance() {
		try {
			if (this.held != null && this.held.isValid(2)) {
				return true;
			}
			release();
			Connection connection = this.dataSource.getConnection();
			connection.setAutoCommit(true);
			try (PreparedStatement statement = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
				statement.setLong(1, LOCK);
				try (ResultSet result = statement.executeQuery()) {
					if (result.next() && result.getBoolean(1)) {
						this.held = connection;
						log.info("This instance writes the trail checkpoints");
						return true;
					}
				}
			}
			connection.close();
			return false;
		}
		catch (SQLException ex) {
			log.warn("Cannot tell whether this instance writes the trail checkpoints: {}", ex.getMessage());
			release();
			return false;
		}
	}

	private void release() {
		if (this.held != null) {
			// Unlocked before it goes back: a pooled connection stays open, and its session lock with it.
			try (PreparedStatement statement = this.held.prepareStatement("select pg_advisory_unlock(?)")) {
				statement.setLong(1, LOCK);
				statement.execute();
			}
			catch (SQLException ex) {
				// a connection that cannot answer has lost its session, and the lock with it
			}
			try {
				this.held.close();
			}
			catch (SQLException ex) {
				// the connection is gone, and the lock with it
			}
			this.held = null;
		}
	}

	@Override
	public synchronized void destroy() {
		release();
	}

}
