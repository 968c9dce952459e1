package dev.backout.audit;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * The whole trail in sequence order, streamed by {@code COPY … TO STDOUT (FORMAT binary)} and
 * decoded here. With a cursor the server waits while each fetched batch is mapped; a copy keeps
 * it sending while this thread decodes, so reading costs the slower of the two, not their sum.
 * The protocol sends each row in a message of its own (the first also carries the header); a row
 * is decoded in place from it. Anything else (a row split or cut, bytes after the trailer, fewer
 * rows than the server counted) is an error: a trail must never read as shorter than it is.
 */
final class CopiedEvents implements Iterator<AuditEvent>, AutoCloseable {

	/** {@link AuditTrail#COLUMNS}, read by position below. */
	static final String COPY = "copy (select " + AuditTrail.COLUMNS + " from audit_event order by seq) to stdout (format binary)";

	private static final int FIELDS = 10;

	private static final byte[] SIGNATURE = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0 };

	/** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix seconds. */
	private static final long POSTGRES_EPOCH = 946_684_800L;

	/** Header flag bits 16 to 31 are critical: a reader that does not know one must stop. */
	private static final int CRITICAL_FLAGS = 0xffff0000;

	private final CopyOut copy;

	/** The message being decoded; empty once the trailer was read. */
	private ByteBuffer message;

	private boolean ended;

	private long rows;

	/** Starts the copy on {@code connection}, inside its transaction (and snapshot) if one is open. */
	CopiedEvents(Connection connection) throws SQLException {
		this(copyInKeyOrder(connection));
	}

	private static CopyOut copyInKeyOrder(Connection connection) throws SQLException {
		try (Statement settings = connection.createStatement()) {
			// The primary key already gives sequence order: sorting a million wide rows instead spills to disk.
			// Local to the verification's transaction (outside one it changes nothing, and PostgreSQL warns).
			settings.execute("set local enable_sort = off");
		}
		return connection.unwrap(PGConnection.class).getCopyAPI().copyOut(COPY);
	}

	CopiedEvents(CopyOut copy) {
		if (copy == null) {
			throw unreadable("the server did not start the copy");
		}
		this.copy = copy;
		try {
			ByteBuffer header = nextMessage();
			byte[] signature = new byte[SIGNATURE.length];
			header.get(signature);
			if (!Arrays.equals(signature, SIGNATURE)) {
				throw unreadable("the server's copy is not in PostgreSQL's binary format");
			}
			if ((header.getInt() & CRITICAL_FLAGS) != 0) {
				throw unreadable("the copy's header carries a flag this console does not know");
			}
			int extension = header.getInt();
			header.position(header.position() + extension);
			this.message = header;
		}
		catch (RuntimeException ex) {
			// Left unread, the copy would hold the connection: the rollback after it would wait forever.
			close();
			throw (ex instanceof BufferUnderflowException || ex instanceof IllegalArgumentException)
					? unreadable("the copy's header is cut short") : ex;
		}
	}

	@Override
	public boolean hasNext() {
		if (this.ended) {
			return false;
		}
		if (!this.message.hasRemaining()) {
			this.message = nextMessage();
		}
		if (this.message.remaining() < Short.BYTES) {
			throw unreadable("a copied row is cut short");
		}
		short fields = this.message.getShort(this.message.position());
		if (fields == -1) {
			end();
			return false;
		}
		if (fields != FIELDS) {
			throw unreadable("a copied row has " + fields + " columns, not " + FIELDS);
		}
		return true;
	}

	@Override
	public AuditEvent next() {
		if (!hasNext()) {
			throw new NoSuchElementException();
		}
		ByteBuffer row = this.message;
		this.rows++;
		try {
			row.getShort();
			return new AuditEvent(int8(row), timestamptz(row), text(row), text(row), nullableInt8(row), text(row), text(row),
					text(row), text(row), text(row));
		}
		catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException ex) {
			throw unreadable("a copied row is cut short");
		}
	}

	/** The trailer: alone in its message, the last message, after as many rows as the server sent. */
	private void end() {
		if (this.message.remaining() != Short.BYTES) {
			throw unreadable("the copy's trailer is not at the end of its message");
		}
		try {
			if (this.copy.readFromCopy() != null) {
				throw unreadable("the copy goes on after its trailer");
			}
		}
		catch (SQLException ex) {
			throw new TrailUnreadable(ex);
		}
		if (this.copy.getHandledRowCount() != this.rows) {
			throw unreadable("the server sent " + this.copy.getHandledRowCount() + " rows, " + this.rows + " were read");
		}
		this.ended = true;
	}

	private ByteBuffer nextMessage() {
		try {
			byte[] message = this.copy.readFromCopy();
			if (message == null) {
				throw unreadable("the copy ended before its last row");
			}
			return ByteBuffer.wrap(message);
		}
		catch (SQLException ex) {
			throw new TrailUnreadable(ex);
		}
	}

	private static long int8(ByteBuffer row) {
		int length = row.getInt();
		if (length != Long.BYTES) {
			throw unreadable((length == -1) ? "a column that cannot be null is null" : "an 8-byte integer is " + length + " bytes long");
		}
		return row.getLong();
	}

	private static Long nullableInt8(ByteBuffer row) {
		return (row.getInt(row.position()) == -1) ? nullColumn(row) : Long.valueOf(int8(row));
	}

	private static Long nullColumn(ByteBuffer row) {
		row.getInt();
		return null;
	}

	/**
	 * Microseconds since PostgreSQL's epoch. Infinity reads as the driver reads it (the largest
	 * and smallest time there is): no event has it, so its hash will not match and verification
	 * names the event.
	 */
	private static Instant timestamptz(ByteBuffer row) {
		long micros = int8(row);
		if (micros == Long.MAX_VALUE) {
			return OffsetDateTime.MAX.toInstant();
		}
		if (micros == Long.MIN_VALUE) {
			return OffsetDateTime.MIN.toInstant();
		}
		return Instant.ofEpochSecond(POSTGRES_EPOCH + Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
	}

	private static String text(ByteBuffer row) {
		int length = row.getInt();
		if (length == -1) {
			return null;
		}
		if (length < 0 || length > row.remaining()) {
			throw unreadable("a text column of " + length + " bytes is cut short");
		}
		String text = new String(row.array(), row.position(), length, StandardCharsets.UTF_8);
		row.position(row.position() + length);
		return text;
	}

	private static TrailUnreadable unreadable(String why) {
		return new TrailUnreadable(why);
	}

	/**
	 * Reads what is left of the copy without decoding it. Not a cancel request: that travels on
	 * another connection and can land on the statement after the copy instead.
	 */
	@Override
	public void close() {
		try {
			while (this.copy.isActive()) {
				this.copy.readFromCopy();
			}
		}
		catch (SQLException ex) {
			throw new TrailUnreadable(ex);
		}
	}

}
