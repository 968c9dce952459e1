package dev.backout.audit;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * The whole trail in sequence order, streamed by {@code COPY … TO STDOUT (FORMAT binary)} and
 * decoded here. With a cursor the server waits while each fetched batch is mapped; a copy keeps
 * it sending while this thread decodes, so reading costs the slower of the two, not their sum.
 * The protocol sends each row in a message of its own; a row is decoded in place from it.
 */
final class CopiedEvents implements Iterator<AuditEvent>, AutoCloseable {

	/** {@link AuditTrail#COLUMNS}, read by position below. */
	static final String COPY = "copy (select " + AuditTrail.COLUMNS + " from audit_event order by seq) to stdout (format binary)";

	private static final int FIELDS = 10;

	private static final byte[] SIGNATURE = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0 };

	/** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix seconds. */
	private static final long POSTGRES_EPOCH = 946_684_800L;

	private final CopyOut copy;

	/** The message being decoded; empty once the trailer was read. */
	private ByteBuffer message;

	private boolean ended;

	/** Starts the copy on {@code connection}, inside its transaction (and snapshot) if one is open. */
	CopiedEvents(Connection connection) throws SQLException {
		this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(COPY);
		try {
			ByteBuffer header = nextMessage();
			byte[] signature = new byte[SIGNATURE.length];
			header.get(signature);
			if (!Arrays.equals(signature, SIGNATURE)) {
				throw unreadable("the server's copy is not in PostgreSQL's binary format");
			}
			header.getInt(); // flags: none is defined that changes how rows read
			int extension = header.getInt();
			header.position(header.position() + extension);
			this.message = header;
		}
		catch (BufferUnderflowException | IllegalArgumentException ex) {
			throw unreadable("the copy's header is cut short");
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
			this.ended = true;
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
		try {
			row.getShort();
			return new AuditEvent(int8(row), timestamptz(row), text(row), text(row), nullableInt8(row), text(row), text(row),
					text(row), text(row), text(row));
		}
		catch (BufferUnderflowException | IllegalArgumentException ex) {
			throw unreadable("a copied row is cut short");
		}
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
			throw new IllegalStateException("Cannot read the trail: " + ex.getMessage(), ex);
		}
	}

	private static long int8(ByteBuffer row) {
		Long value = nullableInt8(row);
		if (value == null) {
			throw unreadable("a column that cannot be null is null");
		}
		return value;
	}

	private static Long nullableInt8(ByteBuffer row) {
		int length = row.getInt();
		if (length == -1) {
			return null;
		}
		if (length != Long.BYTES) {
			throw unreadable("an 8-byte integer is " + length + " bytes long");
		}
		return row.getLong();
	}

	/** Microseconds since PostgreSQL's epoch; infinity cannot be an event's time. */
	private static Instant timestamptz(ByteBuffer row) {
		long micros = int8(row);
		if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
			throw unreadable("an event's time is infinite");
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

	private static IllegalStateException unreadable(String why) {
		return new IllegalStateException("Cannot read the trail: " + why + ".");
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
			throw new IllegalStateException("Cannot read the trail: " + ex.getMessage(), ex);
		}
	}

}
