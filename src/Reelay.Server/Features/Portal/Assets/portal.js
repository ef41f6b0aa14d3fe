// The portal's only script: progressive enhancement, every page works without it (the CSP forbids inline script).

// Copy buttons: data-copy-text="value", or data-copy="element-id" (its text). Falls back to selecting the text.
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-copy], button[data-copy-text]');
  if (!button) return;
  const source = button.dataset.copy ? document.getElementById(button.dataset.copy) : null;
  const text = button.dataset.copyText ?? (source ? source.textContent.trim() : '');
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = label; }, 1500);
  } catch {
    if (!source) { window.prompt('Copy this:', text); return; }
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    button.textContent = 'Selected: press Ctrl+C';
  }
});

// Forms marked data-confirm ask first (disabling a key cannot be undone); filter forms leave empty fields out of the URL.
document.addEventListener('submit', (event) => {
  const form = event.target;
  const message = form.dataset.confirm;
  if (message && !window.confirm(message)) { event.preventDefault(); return; }
  if (form.method === 'get') {
    for (const field of form.querySelectorAll('input[name], select[name]')) {
      if (field.value === '' ) field.disabled = true;
    }
    setTimeout(() => { for (const field of form.querySelectorAll('[disabled]')) field.disabled = false; }, 0);
  }
});

// Audio outputs: a waveform drawn from the decoded samples (fetched from this origin, as the CSP allows).
async function drawWaveform(canvas) {
  try {
    const response = await fetch(canvas.dataset.waveform);
    const buffer = await response.arrayBuffer();
    const context = new OfflineAudioContext(1, 1, 44100);
    const audio = await context.decodeAudioData(buffer);
    const samples = audio.getChannelData(0);
    const g = canvas.getContext('2d');
    const { width, height } = canvas;
    const step = Math.max(1, Math.floor(samples.length / width));
    g.fillStyle = getComputedStyle(canvas).color;
    for (let x = 0; x < width; x++) {
      let peak = 0;
      for (let i = x * step; i < (x + 1) * step && i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
      const h = Math.max(1, peak * height);
      g.fillRect(x, (height - h) / 2, 1, h);
    }
    canvas.dataset.drawn = 'true';
  } catch {
    canvas.dataset.drawn = 'failed';
  }
}
document.querySelectorAll('canvas[data-waveform]').forEach(drawWaveform);
