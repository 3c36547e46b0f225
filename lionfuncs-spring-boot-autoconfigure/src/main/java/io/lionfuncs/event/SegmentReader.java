package io.lionfuncs.event;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * Reads the complete lines of a spool segment, forward, up to a limit: the length the
 * writer has committed, so that a line still being written is never seen. A
 * {@link RandomAccessFile} rather than a channel, so that an interrupt of the reading
 * thread (a shutdown cutting a handler call short) does not close it.
 */
final class SegmentReader implements Closeable {

	/** What {@link #nextLine} returns for a line too long to be a record. */
	static final byte[] OVERSIZED = new byte[0];

	private static final int INITIAL_BUFFER = 64 * 1024;

	private final RandomAccessFile file;

	private final int maxLine;

	private byte[] buffer = new byte[INITIAL_BUFFER];

	private int start;

	private int end;

	/** Where the search for the next line feed goes on. */
	private int scan;

	/** The file offset of {@code buffer[0]}. */
	private long bufferOffset;

	private long lineOffset;

	private boolean skipping;

	SegmentReader(Path path, long offset, int maxLine) throws IOException {
		this.file = new RandomAccessFile(path.toFile(), "r");
		this.bufferOffset = offset;
		this.maxLine = maxLine;
	}

	/** The file offset of the next byte not yet returned. */
	long position() {
		return this.bufferOffset + this.start;
	}

	/** The file offset of the line {@link #nextLine} returned last. */
	long lineOffset() {
		return this.lineOffset;
	}

	/**
	 * The next complete line that ends before {@code limit}.
	 * @param limit the offset not to read beyond
	 * @return the line without its line feed, {@link #OVERSIZED} for a line longer than
	 * a record can be, or {@code null} when no complete line lies before the limit
	 */
	byte[] nextLine(long limit) throws IOException {
		while (true) {
			for (int i = Math.max(this.scan, this.start); i < this.end; i++) {
				if (this.buffer[i] == '\n') {
					long offset = this.bufferOffset + this.start;
					byte[] line;
					if (this.skipping) {
						line = OVERSIZED;
						this.skipping = false;
					}
					else {
						line = new byte[i - this.start];
						System.arraycopy(this.buffer, this.start, line, 0, line.length);
						this.lineOffset = offset;
					}
					this.start = i + 1;
					this.scan = this.start;
					return line;
				}
			}
			this.scan = this.end;
			if (!fill(limit)) {
				return null;
			}
		}
	}

	private boolean fill(long limit) throws IOException {
		if (this.start > 0) {
			System.arraycopy(this.buffer, this.start, this.buffer, 0, this.end - this.start);
			this.bufferOffset += this.start;
			this.end -= this.start;
			this.scan -= this.start;
			this.start = 0;
		}
		if (this.end == this.buffer.length) {
			if (this.buffer.length >= this.maxLine) {
				// a line longer than any record: drop what is buffered and look for its end
				if (!this.skipping) {
					this.lineOffset = this.bufferOffset;
				}
				this.skipping = true;
				this.bufferOffset += this.end;
				this.end = 0;
				this.scan = 0;
			}
			else {
				byte[] larger = new byte[(int) Math.min((long) this.buffer.length * 2, this.maxLine)];
				System.arraycopy(this.buffer, 0, larger, 0, this.end);
				this.buffer = larger;
			}
		}
		long available = limit - (this.bufferOffset + this.end);
		if (available <= 0) {
			return false;
		}
		this.file.seek(this.bufferOffset + this.end);
		int read = this.file.read(this.buffer, this.end, (int) Math.min(available, this.buffer.length - this.end));
		if (read <= 0) {
			return false;
		}
		this.end += read;
		return true;
	}

	@Override
	public void close() throws IOException {
		this.file.close();
	}

}
