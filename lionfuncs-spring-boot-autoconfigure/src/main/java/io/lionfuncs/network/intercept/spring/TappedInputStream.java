package io.lionfuncs.network.intercept.spring;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import io.lionfuncs.network.intercept.GovernedExchange;

/**
 * A response body whose bytes are shown to the exchange as the client reads them; its end
 * or its close ends the lease.
 */
final class TappedInputStream extends FilterInputStream {

	private final GovernedExchange exchange;

	TappedInputStream(InputStream body, GovernedExchange exchange) {
		super(body);
		this.exchange = exchange;
	}

	@Override
	public int read() throws IOException {
		int value;
		try {
			value = super.read();
		}
		catch (IOException | RuntimeException ex) {
			this.exchange.failed(ex);
			throw ex;
		}
		if (value < 0) {
			this.exchange.bodyEnded();
		}
		else {
			this.exchange.body(new byte[] { (byte) value }, 0, 1);
		}
		return value;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int count;
		try {
			count = super.read(buffer, offset, length);
		}
		catch (IOException | RuntimeException ex) {
			this.exchange.failed(ex);
			throw ex;
		}
		if (count < 0) {
			this.exchange.bodyEnded();
		}
		else {
			this.exchange.body(buffer, offset, count);
		}
		return count;
	}

	@Override
	public long skip(long count) throws IOException {
		// Skipped bytes pass unseen; read them so the usage still shows.
		byte[] buffer = new byte[(int) Math.min(Math.max(count, 0), 8192)];
		int read = read(buffer, 0, buffer.length);
		return Math.max(read, 0);
	}

	@Override
	public boolean markSupported() {
		return false;
	}

	@Override
	public void close() throws IOException {
		try {
			super.close();
		}
		finally {
			this.exchange.bodyClosed();
		}
	}

}
