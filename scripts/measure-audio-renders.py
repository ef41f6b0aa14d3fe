#!/usr/bin/env python3
"""Render time (p50) against the audio's own length, and output size, per kind of the audio endpoints.

Runs each request N times, one at a time, against a running Reelay whose SQLite file it can read (render time =
the task's finished_at - started_at: espeak-ng / ffmpeg plus storing the output), downloads each output and decodes
it with ffmpeg for its length. "x real time" is render time / audio length (below 1: faster than real time).

  scripts/measure-audio-renders.py --base http://127.0.0.1:8080 --key key_... --db data/reelay.db [--runs 5]
"""
import argparse, base64, json, os, sqlite3, statistics, subprocess, tempfile, time, urllib.request

p = argparse.ArgumentParser()
p.add_argument("--base", required=True)
p.add_argument("--key", required=True)
p.add_argument("--db", required=True)
p.add_argument("--runs", type=int, default=5)
a = p.parse_args()

tmp = tempfile.mkdtemp(prefix="reelay-measure-audio-")
speech = os.path.join(tmp, "speech.wav")
subprocess.run(["espeak-ng", "-v", "en-us", "-w", speech,
                "The quick brown fox jumps over the lazy dog, and then it runs back into the quiet forest."], check=True)
AUD = "data:audio/wav;base64," + base64.b64encode(open(speech, "rb").read()).decode()
TEXT = "Welcome to Reelay. This sentence is spoken by the preview engine, one word after another, for the measurement."
VOICE = {"type": "runway-preset", "presetId": "Maya"}

KINDS = [
    ("speech eleven_multilingual_v2 mp3", "text_to_speech", {"model": "eleven_multilingual_v2", "promptText": TEXT, "voice": VOICE}),
    ("speech eleven_v3 mp3 speed 1.2", "text_to_speech", {"model": "eleven_v3", "promptText": TEXT, "voice": VOICE, "speed": 1.2}),
    ("speech seed_audio wav 24 kHz", "text_to_speech", {"model": "seed_audio", "promptText": TEXT, "outputFormat": "wav", "sampleRate": 24000}),
    ("speech seed_audio ogg_opus", "text_to_speech", {"model": "seed_audio", "promptText": TEXT, "outputFormat": "ogg_opus"}),
    ("sound effect 10 s mp3", "sound_effect", {"model": "eleven_text_to_sound_v2", "promptText": "rain on a tin roof", "duration": 10}),
    ("sound effect 10 s mp3 loop", "sound_effect", {"model": "eleven_text_to_sound_v2", "promptText": "a bell", "duration": 10, "loop": True}),
    ("sound effect seed_audio wav", "sound_effect", {"model": "seed_audio", "promptText": "a spaceship passes by", "outputFormat": "wav"}),
    ("speech-to-speech 5.5 s", "speech_to_speech", {"model": "eleven_multilingual_sts_v2", "media": {"type": "audio", "uri": AUD}, "voice": VOICE}),
    ("dubbing 5.5 s to fr", "voice_dubbing", {"model": "eleven_voice_dubbing", "audioUri": AUD, "targetLang": "fr"}),
    ("isolation 5.5 s", "voice_isolation", {"model": "eleven_voice_isolation", "audioUri": AUD}),
]

def call(method, path, body=None):
    req = urllib.request.Request(a.base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + a.key, "X-Runway-Version": "2024-11-06", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)

def seconds(path):
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-af", "astats=metadata=1:reset=0,ametadata=print:key=lavfi.astats.Overall.Number_of_samples:file=-",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stdout
    rate = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate", "-of", "csv=p=0", path],
                          capture_output=True, text=True, check=True).stdout.strip()
    samples = [l for l in out.splitlines() if l.startswith("lavfi.astats.Overall.Number_of_samples=")][-1].split("=")[1]
    return float(samples) / float(rate)

db = sqlite3.connect(a.db)
print(f"{'kind':36} {'p50 ms':>7} {'min ms':>7} {'max ms':>7} {'audio s':>8} {'x real time':>11}  output size")
for label, endpoint, body in KINDS:
    times, ratios = [], []
    for _ in range(a.runs):
        task = call("POST", "/v1/" + endpoint, body)
        while True:
            t = call("GET", "/v1/tasks/" + task["id"])
            if t["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"): break
            time.sleep(0.05)
        assert t["status"] == "SUCCEEDED", t
        started, finished = db.execute("SELECT started_at, finished_at FROM tasks WHERE id = ?", (task["id"],)).fetchone()
        out = os.path.join(tmp, "out")
        data = urllib.request.urlopen(t["output"][0]).read()
        open(out, "wb").write(data)
        length = seconds(out)
        times.append(finished - started)
        ratios.append((finished - started) / 1000 / length)
    print(f"{label:36} {statistics.median(times):7.0f} {min(times):7.0f} {max(times):7.0f} {length:8.2f} {statistics.median(ratios):11.3f}  {len(data) / 1024:.0f} KiB")
