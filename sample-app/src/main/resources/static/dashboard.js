// Live view of /actuator/lionfuncs (and of the embedded fake upstream): polls once a
// second and charts up to the last two minutes. No build step, no library.
(function () {
	'use strict';

	// The charts span the time since the page opened: at least 30 s, at most 2 min.
	const WINDOW_MS = 120000;
	const MIN_SPAN_MS = 30000;
	const POLL_MS = 1000;
	const STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'];

	const CHARTS = {
		queueChart: {
			legend: 'queueLegend',
			series: [{ key: 'queued', label: 'waiting', color: '#2f62d0' }]
		},
		bucketChart: {
			legend: 'bucketLegend', max: 100, unit: '%',
			series: [
				{ key: 'requests', label: 'requests', color: '#2f62d0' },
				{ key: 'apiTokens', label: 'API tokens', color: '#e0902f' }
			]
		},
		inFlightChart: {
			legend: 'inFlightLegend',
			series: [
				{ key: 'inUse', label: 'in use', color: '#7a45c9' },
				{ key: 'limit', label: 'limit', color: '#9aa3b2', dashed: true, noFill: true }
			]
		},
		doneChart: {
			legend: 'doneLegend', unit: '/s',
			series: [
				{ key: 'COMPLETED', label: 'completed', color: '#1f8a4c' },
				{ key: 'FAILED', label: 'failed', color: '#c93434' },
				{ key: 'CANCELLED', label: 'cancelled', color: '#8a8f99' }
			]
		}
	};

	const history = [];
	let previous = null;
	let faultFormFilled = false;

	const select = document.getElementById('executor');

	// ------------------------------------------------------------------ data

	function selectedExecutor(snapshot) {
		const names = Object.keys(snapshot.executors || {});
		const known = Array.from(select.options).map((option) => option.value);
		if (known.join('\u0000') !== names.join('\u0000')) {
			const current = select.value;
			select.innerHTML = '';
			names.forEach((name) => select.add(new Option(name, name)));
			select.value = names.includes(current) ? current : names[0];
		}
		return snapshot.executors ? snapshot.executors[select.value] : undefined;
	}

	function record(executor, time) {
		const counts = executor.counts || {};
		const point = {
			time: time,
			queued: executor.queue.depth,
			inUse: executor.concurrency.inUse,
			limit: executor.concurrency.limit,
			requests: percent(executor.buckets.requests),
			apiTokens: percent(executor.buckets.apiTokens),
			COMPLETED: 0, FAILED: 0, CANCELLED: 0
		};
		if (previous) {
			const seconds = Math.max(0.001, (time - previous.time) / 1000);
			STATUSES.forEach((status) => {
				point[status] = Math.max(0, (counts[status] || 0) - (previous.counts[status] || 0)) / seconds;
			});
		}
		previous = { time: time, counts: counts };
		history.push(point);
		while (history.length && history[0].time < time - WINDOW_MS) {
			history.shift();
		}
	}

	function percent(bucket) {
		if (!bucket || !bucket.capacity) {
			return null;
		}
		// Below zero the bucket is in debt (tokens reserved ahead); the chart shows 0.
		return Math.min(100, Math.max(0, 100 * bucket.available / bucket.capacity));
	}

	// ------------------------------------------------------------------ charts

	function niceStep(raw) {
		const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
		const fraction = raw / magnitude;
		const nice = (fraction <= 1) ? 1 : (fraction <= 2) ? 2 : (fraction <= 5) ? 5 : 10;
		return nice * magnitude;
	}

	function formatNumber(value, step) {
		if (step !== undefined && step < 1) {
			return value.toFixed(1);
		}
		return Math.round(value).toLocaleString('en-US');
	}

	function drawChart(id, now) {
		const chart = CHARTS[id];
		const canvas = document.getElementById(id);
		const ratio = window.devicePixelRatio || 1;
		const width = canvas.clientWidth;
		const height = canvas.clientHeight;
		if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
			canvas.width = Math.round(width * ratio);
			canvas.height = Math.round(height * ratio);
		}
		const context = canvas.getContext('2d');
		context.setTransform(ratio, 0, 0, ratio, 0, 0);
		context.clearRect(0, 0, width, height);

		const left = 46, right = 10, top = 8, bottom = 20;
		const plotWidth = width - left - right;
		const plotHeight = height - top - bottom;

		// The peak of the data; reference lines (dashed) only widen the scale.
		let peak = 0, scalePeak = 0;
		chart.series.forEach((series) => history.forEach((point) => {
			if (typeof point[series.key] === 'number') {
				scalePeak = Math.max(scalePeak, point[series.key]);
				if (!series.dashed) {
					peak = Math.max(peak, point[series.key]);
				}
			}
		}));
		let max, step;
		if (chart.max) {
			max = chart.max;
			step = max / 4;
		}
		else {
			// Some headroom above the peak, at least 0..4, on round steps.
			const base = Math.max(scalePeak * 1.1, 4);
			step = Math.max(1, niceStep(base / 4));
			max = step * Math.ceil(base / step);
		}
		canvas.dataset.peak = String(peak);
		canvas.dataset.points = String(history.length);

		const span = history.length ? Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, now - history[0].time)) : MIN_SPAN_MS;
		const x = (time) => left + plotWidth * (1 - (now - time) / span);
		const y = (value) => top + plotHeight * (1 - value / max);

		context.font = '11px system-ui, sans-serif';
		context.lineWidth = 1;
		context.textBaseline = 'middle';
		for (let value = 0; value <= max + step / 2; value += step) {
			context.strokeStyle = (value === 0) ? '#c9cfd9' : '#eceef2';
			context.beginPath();
			context.moveTo(left, Math.round(y(value)) + 0.5);
			context.lineTo(width - right, Math.round(y(value)) + 0.5);
			context.stroke();
			context.fillStyle = '#5b6475';
			context.textAlign = 'right';
			context.fillText(formatNumber(value, step) + (chart.unit === '%' ? '%' : ''), left - 6, y(value));
		}
		context.textBaseline = 'alphabetic';
		const tickSeconds = [5, 10, 15, 30, 60].find((seconds) => span / 1000 / seconds <= 6) || 60;
		for (let seconds = 0; seconds * 1000 <= span; seconds += tickSeconds) {
			const position = x(now - seconds * 1000);
			context.textAlign = (seconds === 0) ? 'right' : (position - left < 20) ? 'left' : 'center';
			context.fillText(seconds === 0 ? 'now' : '−' + seconds + ' s', position, height - 5);
		}

		context.save();
		context.beginPath();
		context.rect(left, 0, plotWidth, height - bottom);
		context.clip();
		chart.series.forEach((series) => {
			const points = history.filter((point) => typeof point[series.key] === 'number');
			if (points.length === 0) {
				return;
			}
			context.beginPath();
			points.forEach((point, index) => {
				const px = x(point.time), py = y(point[series.key]);
				if (index === 0) {
					context.moveTo(px, py);
				}
				else {
					context.lineTo(px, py);
				}
			});
			context.strokeStyle = series.color;
			context.lineWidth = series.dashed ? 1.5 : 2.25;
			context.setLineDash(series.dashed ? [5, 4] : []);
			context.lineJoin = 'round';
			context.stroke();
			context.setLineDash([]);
			if (!series.noFill && points.length > 1) {
				context.lineTo(x(points[points.length - 1].time), y(0));
				context.lineTo(x(points[0].time), y(0));
				context.closePath();
				context.globalAlpha = 0.1;
				context.fillStyle = series.color;
				context.fill();
				context.globalAlpha = 1;
			}
		});
		context.restore();

		const latest = history[history.length - 1] || {};
		document.getElementById(chart.legend).innerHTML = chart.series.map((series) => {
			const value = latest[series.key];
			const text = (typeof value === 'number')
				? formatNumber(value, chart.unit === '/s' ? 0.1 : undefined) + (chart.unit || '')
				: 'off';
			return '<span class="item"><span class="swatch' + (series.dashed ? ' dashed' : '') + '" style="background:'
				+ series.color + ';color:' + series.color + '"></span>' + series.label + ' <b>' + text + '</b></span>';
		}).join('');
	}

	// ------------------------------------------------------------------ tiles and table

	function setTile(id, value, detail, alert) {
		const tile = document.getElementById('tile-' + id);
		tile.querySelector('.value').textContent = value;
		tile.dataset.value = String(value);
		if (detail !== undefined) {
			tile.querySelector('.detail').textContent = detail;
		}
		tile.classList.toggle('alert', Boolean(alert));
	}

	function bucketDetail(bucket) {
		const period = bucket.period === 'PT1S' ? 's' : bucket.period === 'PT1M' ? 'min' : bucket.period;
		return 'of ' + formatNumber(bucket.capacity) + ' · +' + formatNumber(bucket.rate) + ' per ' + period
			+ (bucket.available < 0 ? ' · reserved ahead' : '');
	}

	function render(executor, now) {
		const counts = executor.counts || {};
		const requests = executor.buckets.requests;
		const apiTokens = executor.buckets.apiTokens;
		setTile('queue', executor.queue.depth, 'of ' + formatNumber(executor.queue.capacity));
		setTile('inflight', executor.concurrency.inUse, 'of ' + executor.concurrency.limit + ' slots');
		setTile('streams', (executor.inFlight || []).filter((request) => request.stream).length);
		setTile('requests', formatNumber(requests.available, requests.available < 10 ? 0.1 : undefined),
			bucketDetail(requests));
		if (apiTokens) {
			setTile('apitokens', formatNumber(apiTokens.available), bucketDetail(apiTokens));
		}
		else {
			setTile('apitokens', 'off', 'no API-token limit');
		}
		setTile('completed', counts.COMPLETED || 0);
		setTile('failed', counts.FAILED || 0, undefined, counts.FAILED > 0);
		setTile('cancelled', counts.CANCELLED || 0);
		setTile('rejected', counts.rejected || 0, undefined, counts.rejected > 0);

		const running = document.getElementById('running');
		running.textContent = executor.running ? 'running' : 'stopped';
		running.className = executor.running ? 'pill up' : 'pill down';

		Object.keys(CHARTS).forEach((id) => drawChart(id, now));
		renderInFlight(executor.inFlight || []);
	}

	function renderInFlight(requests) {
		const body = document.querySelector('#inFlight tbody');
		body.innerHTML = '';
		document.getElementById('inFlightCount').textContent = requests.length ? '(' + requests.length + ', oldest first)' : '';
		if (requests.length === 0) {
			const cell = body.insertRow().insertCell();
			cell.colSpan = 8;
			cell.className = 'empty';
			cell.textContent = 'No request in flight.';
			return;
		}
		requests.slice(0, 15).forEach((request) => {
			const row = body.insertRow();
			const firstByte = (request.timeToFirstByteMillis === null || request.timeToFirstByteMillis === undefined)
				? (request.stream ? 'waiting' : '') : formatNumber(request.timeToFirstByteMillis);
			const cells = [
				[request.requestId.substring(0, 8), 'id'], [request.status, 'status-' + request.status],
				[request.stream ? 'stream' : 'call', request.stream ? 'stream' : ''],
				[request.method || '', ''], [request.endpointUrl || '', ''],
				[formatNumber(request.apiTokens), 'num'], [firstByte, 'num'], [formatNumber(request.ageMillis), 'num']
			];
			cells.forEach(([value, className]) => {
				const cell = row.insertCell();
				cell.textContent = value;
				cell.className = className;
			});
		});
		if (requests.length > 15) {
			const cell = body.insertRow().insertCell();
			cell.colSpan = 8;
			cell.className = 'empty';
			cell.textContent = '… and ' + (requests.length - 15) + ' more';
		}
	}

	function renderUpstream(settings) {
		document.getElementById('upstreamCounts').innerHTML = '<span class="counts">served <b class="ok">'
			+ formatNumber(settings.served) + '</b> · throttled (429) <b>' + formatNumber(settings.throttled)
			+ '</b> · injected errors (503) <b' + (settings.failed > 0 ? ' class="bad"' : '') + '>'
			+ formatNumber(settings.failed) + '</b></span>';
		if (!faultFormFilled) {
			fillFaultForm(settings);
		}
	}

	function fillFaultForm(settings) {
		faultFormFilled = true;
		['errorRate', 'latencyMs', 'requestsPerSecond', 'tokensPerMinute'].forEach((name) => {
			document.getElementById(name).value = settings[name];
		});
	}

	function setStatus(text, down) {
		const status = document.getElementById('status');
		status.textContent = text;
		status.className = down ? 'status down' : 'status';
	}

	// ------------------------------------------------------------------ polling

	// A poll that gets no answer is abandoned, so one stalled connection cannot stop the
	// dashboard: the next poll opens another.
	async function getJson(url) {
		const response = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
		if (!response.ok) {
			throw new Error(url + ': HTTP ' + response.status);
		}
		return response.json();
	}

	async function poll() {
		try {
			const snapshot = await getJson('actuator/lionfuncs');
			const executor = selectedExecutor(snapshot);
			const now = Date.now();
			if (executor) {
				record(executor, now);
				render(executor, now);
			}
			setStatus('live · ' + new Date(now).toLocaleTimeString('en-GB'), false);
		}
		catch (error) {
			setStatus('cannot read /actuator/lionfuncs', true);
		}
		try {
			renderUpstream(await getJson('upstream/admin/faults'));
		}
		catch (error) {
			document.getElementById('upstreamCounts').textContent = 'embedded fake upstream not reachable';
		}
		setTimeout(poll, POLL_MS);
	}

	// ------------------------------------------------------------------ forms

	function escapeHtml(text) {
		return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
	}

	async function problem(response) {
		try {
			const body = await response.json();
			return body.detail || (body.error && body.error.message) || ('HTTP ' + response.status);
		}
		catch (error) {
			return 'HTTP ' + response.status;
		}
	}

	document.getElementById('burstForm').addEventListener('submit', async (event) => {
		event.preventDefault();
		const button = document.getElementById('burstButton');
		const result = document.getElementById('burstResult');
		const count = document.getElementById('burstCount').value;
		const query = new URLSearchParams({
			count: count,
			tokens: document.getElementById('burstTokens').value,
			path: document.getElementById('burstPath').value
		});
		button.disabled = true;
		result.dataset.state = 'running';
		result.textContent = 'Running ' + count + ' calls…';
		try {
			const response = await fetch('demo/burst?' + query, { method: 'POST', headers: { Accept: 'application/json' } });
			if (!response.ok) {
				result.dataset.state = 'error';
				result.textContent = await problem(response);
				return;
			}
			const burst = await response.json();
			const statuses = burst.statuses;
			const http = Object.entries(burst.httpStatus).map(([code, n]) => escapeHtml(code) + ' ×' + n).join(', ');
			result.dataset.state = 'done';
			result.innerHTML = '<span class="counts"><b>' + burst.count + '</b> calls in <b>'
				+ (burst.elapsedMillis / 1000).toFixed(1) + ' s</b>: completed <b class="ok">' + statuses.COMPLETED
				+ '</b> · failed <b' + (statuses.FAILED > 0 ? ' class="bad"' : '') + '>' + statuses.FAILED
				+ '</b> · cancelled <b>' + statuses.CANCELLED + '</b> — last HTTP status ' + http + '</span>';
		}
		catch (error) {
			result.dataset.state = 'error';
			result.textContent = 'Burst failed: ' + error.message;
		}
		finally {
			button.disabled = false;
		}
	});

	// A streamed completion, read with EventSource; closing it disconnects, which cancels
	// the call upstream.
	let source = null;

	function endStream(state, text) {
		if (source) {
			source.close();
			source = null;
		}
		const result = document.getElementById('streamResult');
		result.dataset.state = state;
		if (text !== undefined) {
			result.textContent = text;
		}
		document.getElementById('streamButton').disabled = false;
		document.getElementById('streamStop').disabled = true;
	}

	document.getElementById('streamForm').addEventListener('submit', (event) => {
		event.preventDefault();
		endStream('running', '');
		const result = document.getElementById('streamResult');
		result.dataset.state = 'running';
		result.innerHTML = '<span class="text"></span>';
		const text = result.querySelector('.text');
		let chunks = 0;
		const query = new URLSearchParams({
			tokens: document.getElementById('streamTokens').value,
			prompt: document.getElementById('streamPrompt').value
		});
		source = new EventSource('demo/stream?' + query);
		document.getElementById('streamButton').disabled = true;
		document.getElementById('streamStop').disabled = false;
		source.onmessage = (message) => {
			if (message.data === '[DONE]') {
				endStream('done');
				result.insertAdjacentText('beforeend', ' — done, ' + chunks + ' chunks');
				return;
			}
			try {
				const chunk = JSON.parse(message.data);
				const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
				if (delta && delta.content) {
					chunks++;
					text.textContent += delta.content;
				}
				if (chunk.usage) {
					result.insertAdjacentText('beforeend', ' [usage: ' + chunk.usage.total_tokens + ' tokens]');
				}
			}
			catch (error) {
				text.textContent += message.data;
			}
		};
		source.onerror = () => {
			if (source) {
				endStream('error');
				result.insertAdjacentText('beforeend', ' — the stream failed');
			}
		};
	});

	document.getElementById('streamStop').addEventListener('click', () => {
		endStream('done');
		document.getElementById('streamResult').insertAdjacentText('beforeend', ' — stopped');
	});

	async function changeFaults(method, query) {
		const response = await fetch('upstream/admin/faults' + (query ? '?' + query : ''),
			{ method: method, headers: { Accept: 'application/json' } });
		const counts = document.getElementById('upstreamCounts');
		if (!response.ok) {
			counts.textContent = await problem(response);
			return;
		}
		const settings = await response.json();
		fillFaultForm(settings);
		renderUpstream(settings);
	}

	document.getElementById('faultForm').addEventListener('submit', (event) => {
		event.preventDefault();
		changeFaults('POST', new URLSearchParams({
			errorRate: document.getElementById('errorRate').value,
			latencyMs: document.getElementById('latencyMs').value,
			requestsPerSecond: document.getElementById('requestsPerSecond').value,
			tokensPerMinute: document.getElementById('tokensPerMinute').value
		}));
	});

	document.getElementById('faultReset').addEventListener('click', () => changeFaults('DELETE'));

	select.addEventListener('change', () => {
		history.length = 0;
		previous = null;
	});

	window.addEventListener('resize', () => Object.keys(CHARTS).forEach((id) => drawChart(id, Date.now())));

	poll();
}());
