#!/usr/bin/env python3
"""Render time (p50) and output size per output kind of the image and transform endpoints.

Runs each request N times, one at a time, against a running Reelay whose SQLite file it can read (render time =
the task's finished_at - started_at, i.e. the worker's render plus storing the output), and downloads each output.

  scripts/measure-image-renders.py --base http://127.0.0.1:8080 --key key_... --db data/reelay.db [--runs 5]
"""
import argparse, base64, json, sqlite3, statistics, subprocess, tempfile, time, urllib.request, os

p = argparse.ArgumentParser()
p.add_argument("--base", required=True)
p.add_argument("--key", required=True)
p.add_argument("--db", required=True)
p.add_argument("--runs", type=int, default=5)
a = p.parse_args()

tmp = tempfile.mkdtemp(prefix="reelay-measure-")
img, vid = os.path.join(tmp, "in.png"), os.path.join(tmp, "in.mp4")
subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x360", "-frames:v", "1", img], check=True)
subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=30:duration=4", "-f", "lavfi", "-i",
                "sine=duration=4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", vid], check=True)
IMG = "data:image/png;base64," + base64.b64encode(open(img, "rb").read()).decode()
VID = "data:video/mp4;base64," + base64.b64encode(open(vid, "rb").read()).decode()

KINDS = [
    ("image 1920x1080 png", "text_to_image", {"model": "gen4_image", "promptText": "a lighthouse at dusk", "ratio": "1920:1080"}),
    ("image 1184x864 png x4", "text_to_image", {"model": "gemini_image3_pro", "promptText": "a lighthouse", "ratio": "1184:864", "outputCount": 4}),
    ("image 1920x1088 png alpha", "text_to_image", {"model": "gpt_image_2", "promptText": "a glass fox", "ratio": "1920:1088", "background": "transparent"}),
    ("image 1600x1600 webp", "text_to_image", {"model": "muse_image", "promptText": "a fox", "ratio": "1600:1600", "outputFormat": "webp"}),
    ("upscale image 640x360 x4", "image_upscale", {"model": "magnific_precision_upscaler_v2", "imageUri": IMG, "scaleFactor": 4}),
    ("upscale video 4 s to 2k", "video_upscale", {"model": "magnific_video_upscaler_creative", "videoUri": VID}),
    ("re-time video 4 s to 60 fps", "video_upscale", {"model": "enhance_frame_rate", "videoUri": VID, "targetFramerate": "60"}),
    ("hdr10 4 s 640x360", "video_to_hdr", {"model": "ruby", "videoUri": VID}),
    ("character performance 4 s 1280x720", "character_performance",
     {"model": "act_two", "character": {"type": "image", "uri": IMG}, "reference": {"type": "video", "uri": VID}}),
]

def call(method, path, body=None):
    req = urllib.request.Request(a.base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + a.key, "X-Runway-Version": "2024-11-06", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)

db = sqlite3.connect(a.db)
print(f"{'kind':38} {'p50 ms':>8} {'min ms':>8} {'max ms':>8}  output size")
for label, endpoint, body in KINDS:
    times, sizes = [], []
    for _ in range(a.runs):
        task = call("POST", "/v1/" + endpoint, body)
        while True:
            t = call("GET", "/v1/tasks/" + task["id"])
            if t["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"): break
            time.sleep(0.1)
        assert t["status"] == "SUCCEEDED", t
        started, finished = db.execute("SELECT started_at, finished_at FROM tasks WHERE id = ?", (task["id"],)).fetchone()
        times.append(finished - started)
        sizes = [len(urllib.request.urlopen(u).read()) for u in t["output"]]
    print(f"{label:38} {statistics.median(times):8.0f} {min(times):8.0f} {max(times):8.0f}  " + " + ".join(f"{s / 1024:.0f} KiB" for s in sizes))
