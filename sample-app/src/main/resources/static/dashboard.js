// Live view of /actuator/lionfuncs: polls once a second and keeps two minutes of history.
(function () {
	'use strict';

	const HISTORY = 120;
	const COLORS = { QUEUED: '#3b6fd8', requests: '#3b6fd8', apiTokens: '#e0902f', inUse: '#6a3fb5',
		COMPLETED: '#2e9d57', FAILED: '#d64545', CANCELLED: '#8a8f99' };
	const history = [];
	let previous = null;

	const select = document.getElementById('executor');

	function selectedExecutor(snapshot) {
		const names = Object.keys(snapshot.executors || {});
		if (select.options.length !== names.length) {
			const current = select.value;
			select.innerHTML = '';
			names.forEach((name) => select.add(new Option(name, name)));
			select.value = names.includes(current) ? current : names[0];
		}
		return snapshot.executors[select.value];
	}

	function record(executor) {
		const counts = executor.counts || {};
		const point = {
			queued: executor.queue.depth,
			inUse: executor.concurrency.inUse,
			requests: percent(executor.buckets.requests),
			apiTokens: percent(executor.buckets.apiTokens),
			COMPLETED: 0, FAILED: 0, CANCELLED: 0
		};
		if (previous) {
			['COMPLETED', 'FAILED', 'CANCELLED'].forEach((status) => {
				point[status] = Math.max(0, (counts[status] || 0) - (previous[status] || 0));
			});
		}
		previous = counts;
		history.push(point);
		if (history.length > HISTORY) {
			history.shift();
		}
	}

	function percent(bucket) {
		if (!bucket || !bucket.capacity) {
			return null;
		}
		return Math.max(0, 100 * bucket.available / bucket.capacity);
	}

	function drawChart(canvasId, series, fixedMax) {
		const canvas = document.getElementById(canvasId);
		const context = canvas.getContext('2d');
		const width = canvas.width, height = canvas.height, left = 40, bottom = 18;
		context.clearRect(0, 0, width, height);
		let max = fixedMax || 1;
		if (!fixedMax) {
			series.forEach((name) => history.forEach((point) => {
				if (point[name] !== null) {
					max = Math.max(max, point[name]);
				}
			}));
		}
		context.strokeStyle = '#e3e6eb';
		context.fillStyle = '#5b6475';
		context.font = '11px system-ui, sans-serif';
		for (let i = 0; i <= 4; i++) {
			const y = (height - bottom) * (1 - i / 4);
			context.beginPath();
			context.moveTo(left, y);
			context.lineTo(width, y);
			context.stroke();
			context.fillText(String(Math.round(max * i / 4)), 2, Math.max(10, y));
		}
		const step = (width - left) / (HISTORY - 1);
		series.forEach((name, index) => {
			context.strokeStyle = COLORS[name] || '#333';
			context.lineWidth = 2;
			context.beginPath();
			let started = false;
			history.forEach((point, i) => {
				const value = point[name];
				if (value === null || value === undefined) {
					return;
				}
				const x = left + (HISTORY - history.length + i) * step;
				const y = (height - bottom) * (1 - value / max);
				if (started) {
					context.lineTo(x, y);
				}
				else {
					context.moveTo(x, y);
					started = true;
				}
			});
			context.stroke();
			context.fillStyle = COLORS[name] || '#333';
			context.fillText(name, left + 8 + index * 90, height - 4);
		});
	}

	function tile(label, value) {
		return '<div class="tile"><div class="value">' + value + '</div><div class="label">' + label + '</div></div>';
	}

	function render(executor) {
		const counts = executor.counts || {};
		const apiTokens = executor.buckets.apiTokens;
		document.getElementById('summary').innerHTML = [
			tile('running', executor.running ? 'yes' : 'no'),
			tile('queue', executor.queue.depth + ' / ' + executor.queue.capacity),
			tile('in flight', executor.concurrency.inUse + ' / ' + executor.concurrency.limit),
			tile('request tokens', Math.round(executor.buckets.requests.available)),
			tile('API tokens', apiTokens ? Math.round(apiTokens.available) : '–'),
			tile('completed', counts.COMPLETED || 0),
			tile('failed', counts.FAILED || 0),
			tile('cancelled', counts.CANCELLED || 0),
			tile('rejected', counts.rejected || 0)
		].join('');
		drawChart('queueChart', ['queued']);
		drawChart('bucketChart', ['requests', 'apiTokens'], 100);
		drawChart('inFlightChart', ['inUse']);
		drawChart('doneChart', ['COMPLETED', 'FAILED', 'CANCELLED']);
		const body = document.querySelector('#inFlight tbody');
		body.innerHTML = '';
		(executor.inFlight || []).forEach((request) => {
			const row = body.insertRow();
			[request.requestId.substring(0, 8), request.status, request.method || '', request.endpointUrl || '',
				request.apiTokens, request.ageMillis].forEach((value) => {
				row.insertCell().textContent = value;
			});
		});
	}

	function setStatus(text, down) {
		const status = document.getElementById('status');
		status.textContent = text;
		status.className = down ? 'status down' : 'status';
	}

	async function poll() {
		try {
			const response = await fetch('actuator/lionfuncs', { headers: { Accept: 'application/json' } });
			if (!response.ok) {
				throw new Error('HTTP ' + response.status);
			}
			const executor = selectedExecutor(await response.json());
			if (executor) {
				record(executor);
				render(executor);
			}
			setStatus('updated ' + new Date().toLocaleTimeString(), false);
		}
		catch (error) {
			setStatus('cannot reach /actuator/lionfuncs: ' + error.message, true);
		}
	}

	document.getElementById('burstForm').addEventListener('submit', async (event) => {
		event.preventDefault();
		const button = document.getElementById('burstButton');
		const result = document.getElementById('burstResult');
		const query = new URLSearchParams({
			count: document.getElementById('burstCount').value,
			tokens: document.getElementById('burstTokens').value,
			path: document.getElementById('burstPath').value
		});
		button.disabled = true;
		result.textContent = 'running…';
		try {
			const response = await fetch('demo/burst?' + query, { method: 'POST' });
			result.textContent = JSON.stringify(await response.json(), null, 1);
		}
		catch (error) {
			result.textContent = 'failed: ' + error.message;
		}
		finally {
			button.disabled = false;
		}
	});

	document.getElementById('faultForm').addEventListener('submit', async (event) => {
		event.preventDefault();
		const query = new URLSearchParams({
			errorRate: document.getElementById('errorRate').value,
			latencyMs: document.getElementById('latencyMs').value,
			requestsPerSecond: document.getElementById('requestsPerSecond').value
		});
		const response = await fetch('upstream/admin/faults?' + query, { method: 'POST' });
		document.getElementById('faultResult').textContent = JSON.stringify(await response.json());
	});

	select.addEventListener('change', () => {
		history.length = 0;
		previous = null;
	});
	poll();
	setInterval(poll, 1000);
}());
