#!/usr/bin/env python3
"""Derive three speed-oriented model files from the originals in models/.

Outputs (written next to the originals, in MODELS_DIR):

1. face_parsing_bisenet19_int8.onnx
   Static int8 quantisation of face_parsing_bisenet19.onnx with ONNX Runtime's
   quantize_static: QDQ format, per-channel symmetric int8 weights, asymmetric uint8
   activations (U8S8, the fastest combination measured with ORT 1.31.1 on a
   Sapphire Rapids Xeon with AVX512-VNNI and on an AMD EPYC (Zen 3) with AVX2 only).
   reduce_range: the int8 weights use 7 bits ([-64, 64]). On x86 CPUs without VNNI (AVX2,
   and AVX-512 before VNNI), ORT's U8S8 kernels multiply with VPMADDUBSW, which adds two
   u8*s8 products into a saturating int16; with full 8-bit weights the sum overflows
   (2*255*127 > 32767) and the parser's answer depends on the CPU: on the Zen 3 the
   full-range file agreed with the float model on 97.8 % of the pixels of 109 held-out
   crops (worst crop 84.7 %), and no_head_covering fell from 0.920 to 0.879 on the real
   evaluation photos. With 7-bit weights the sum stays within int16 (2*255*64 = 32640), so
   the integer part cannot saturate on any x86 CPU and CPUs differ only in the last bits
   of the float parts; the file agrees on 99.3 % (worst 92.2 %) of the same crops on the
   Zen 3. U8U8 (no saturation either; --config qdq_u8u8, full-range uint8 weights) agreed
   on 99.4 % but ran 25 % slower there. The script asserts the weight range after
   quantising. Dynamic N/H/W and the I/O
   names/preprocessing are unchanged: input `input` [N,3,H,W] RGB /255, ImageNet mean/std,
   H,W multiples of 32; output `logits` [N,19,H,W] float32. The final 1x1 classifier
   Conv and the bilinear upsampling of the logits stay in float (excluded from
   quantisation) so the argmax is not taken on 8-bit logits.
   Activation ranges: Percentile calibration, 99.999 (two-sided: 0.0005 % cut at each end),
   from a 2048-bin histogram of each tensor over a FIXED range [-T, T] (T = max |x| from a
   first MinMax pass), so the ranges do not depend on the order of the calibration crops
   (ORT's collector otherwise re-bins as the range grows; see calibrate()). Compared on
   held-out crops with MinMax, Percentile 99.99 / 99.9999 and Entropy (ORT defaults and
   2048 bins), this agreed best with the fp32 model (Entropy with ORT's 128-bin default
   was as good for one order of the crops and worse for another: 99.49 vs 99.30 % pixel
   agreement at 384; with 2048 bins it clipped ReLU outputs far too hard). That comparison
   ran on the Xeon with full-range weights.
   Calibration crops are made the way idphoto makes them (src/analyse/parse.rs
   parsing_frame): an upright square crop rotated by the eye line, eyes at 40 % of its
   height, side = max(4.2 x inter-ocular distance, 2.2 x face-box width), bilinear-sampled
   to 384x384, black outside the photo. Faces come from YuNet (the original 640x640 model,
   letterbox, score >= 0.5 with a contrast-stretched retry at 0.35, largest face), run on
   an "analysis copy" of each photo (EXIF-upright, RGB, long side <= 1024), as idphoto does.
   The file stays dynamic in H,W; only the calibration ran at 384.
   Calibration images: every image file found (recursively, sorted by path) under the
   directories given on the command line; in each directory, the photos with a detected
   face at even positions (0, 2, 4, ...), at most --per-dir-max (20) of them, evenly
   spaced, so that large uniform sets (Yale, Yale B) do not dominate; the odd positions
   stay free for held-out evaluation. The reference run used /work/shared/eval/images
   (the project's evaluation corpus: LISA, Yale, Yale B, deepface, hivision and registry
   photos) and /work/main/testdata (astronaut.png, grace_hopper.jpg): 378 files, 362 with
   a face, 120 crops. The photos are only used to compute activation ranges; none of
   their pixels is stored in the output.

   LICENCE: the int8 file is derived from the BiSeNet weights (79999_iter.pth,
   zllrunning/face-parsing.PyTorch) trained on CelebAMask-HQ. The dataset's
   NON-COMMERCIAL research/education-only terms carry over to the derived file exactly as
   they apply to face_parsing_bisenet19.onnx.

2. face_detection_yunet_2023mar_dynamic.onnx
   face_detection_yunet_2023mar.onnx (MIT, Shiqi Yu) with the input declared
   [1,3,H,W] (H,W multiples of 32) and the outputs [1,A_s,k] with symbolic A_s
   (= H/s * W/s for stride s). The graph already reshapes with [1,-1,k] and upsamples
   with scale factors, so only the declared shapes change: input/output dims are made
   symbolic and the stale static value_info entries are dropped. Weights and nodes are
   untouched; at 640x640 the outputs are identical to the original.

3. face_landmarker_478_noprelu.onnx
   face_landmarker_478.onnx (Apache-2.0, MediaPipe) with each of its 69 PRelu nodes written
   as cheaper operators that give bit-identical results. ONNX Runtime 1.31.1's PRelu
   kernel took 13 of the mesh's 30 ms on an AVX2 EPYC (about 9x slower than Mul + Max on
   the same tensor) and kept the tensors out of the blocked NCHWc layout. Per node:
   every slope <= 1: Max(x, s*x) (x > 0 gives x, x < 0 gives s*x, also for negative s);
   every slope >= 1: Min(x, s*x); slopes on both sides of 1 (43 of the 69 nodes):
   Relu(x) + s*(x - Relu(x)), where x - Relu(x) is exactly x or 0, so the sum is exactly
   x or s*x. The script checks that the outputs are bit-identical on random inputs and on
   the testdata portraits' face crops. The mesh runs in about 15 ms instead of 24 there.

Usage:
    python3 scripts/prepare-models.py MODELS_DIR CALIB_DIR [CALIB_DIR ...]
        [--per-dir-max 20] [--calib-method percentile|minmax|entropy] [--percentile 99.999]
        [--config qdq_u8s8|qdq_s8s8|qop_u8s8|qdq_u8u8] [--full-range] [--crop-size 384]

Needs: onnxruntime==1.31.1, onnx, numpy, pillow. The result depends only on the
inputs (single-threaded ORT sessions, sorted file order); the script prints the sha256
of each output.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from PIL import Image, ImageOps

BISENET = "face_parsing_bisenet19.onnx"
BISENET_INT8 = "face_parsing_bisenet19_int8.onnx"
YUNET = "face_detection_yunet_2023mar.onnx"
YUNET_DYNAMIC = "face_detection_yunet_2023mar_dynamic.onnx"
MESH = "face_landmarker_478.onnx"
MESH_NOPRELU = "face_landmarker_478_noprelu.onnx"

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".gif", ".pgm", ".ppm", ".bmp", ".webp", ".tif", ".tiff"}
ANALYSIS_LONG_SIDE = 1024
YUNET_INPUT = 640
YUNET_STRIDES = (8, 16, 32)
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)

# ---------------------------------------------------------------------------------------------
# Images and face crops (mirrors src/decode/, src/analyse/detect.rs, src/analyse/parse.rs)
# ---------------------------------------------------------------------------------------------


def list_images(dirs: list[str]) -> list[Path]:
    """Image files under each directory, ordered by (directory name, path inside it), so the
    order does not depend on where the directories live or how they were named."""
    keyed = {}
    for d in dirs:
        root = Path(d)
        files = [root] if root.is_file() else [
            Path(dp) / f for dp, _, fs in os.walk(root) for f in fs]
        for p in files:
            if p.suffix.lower() not in IMAGE_EXTS:
                continue
            rel = p.name if root.is_file() else p.relative_to(root).as_posix()
            key = (root.resolve().name, rel)
            keyed.setdefault(p.resolve(), key)
    return [p for p, _ in sorted(keyed.items(), key=lambda kv: (kv[1], str(kv[0])))]


def load_analysis_image(path: Path, long_side: int = ANALYSIS_LONG_SIDE) -> np.ndarray:
    """Upright RGB uint8 array, transparent areas over white, long side <= long_side."""
    with Image.open(path) as im:
        im.seek(0)
        im = ImageOps.exif_transpose(im)
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            im = im.convert("RGBA")
            bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
            im = Image.alpha_composite(bg, im)
        im = im.convert("RGB")
        w, h = im.size
        if max(w, h) > long_side:
            f = long_side / max(w, h)
            im = im.resize((max(1, round(w * f)), max(1, round(h * f))), Image.BILINEAR)
        return np.asarray(im, dtype=np.uint8).copy()


def session(path: str | Path, threads: int = 1) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def yunet_input(img: np.ndarray, in_h: int = YUNET_INPUT, in_w: int = YUNET_INPUT):
    """Letterbox (top-left, pad right/bottom with black) into in_h x in_w, BGR float 0..255."""
    h, w = img.shape[:2]
    f = min(in_w / w, in_h / h)
    nw = min(max(round(w * f), 1), in_w)
    nh = min(max(round(h * f), 1), in_h)
    small = np.asarray(Image.fromarray(img).resize((nw, nh), Image.BILINEAR), np.float32)
    x = np.zeros((1, 3, in_h, in_w), np.float32)
    x[0, :, :nh, :nw] = small[:, :, ::-1].transpose(2, 0, 1)
    return x, f


def yunet_decode(outs: dict, f: float, in_h: int, in_w: int, min_score: float, nms_iou: float = 0.3):
    faces = []
    for s in YUNET_STRIDES:
        cls = outs[f"cls_{s}"].reshape(-1)
        obj = outs[f"obj_{s}"].reshape(-1)
        bbox = outs[f"bbox_{s}"].reshape(-1, 4)
        kps = outs[f"kps_{s}"].reshape(-1, 10)
        cols = in_w // s
        score = np.sqrt(np.clip(cls, 0, 1) * np.clip(obj, 0, 1))
        for i in np.nonzero(score >= min_score)[0]:
            row, col = divmod(int(i), cols)
            b = bbox[i]
            cx, cy = (col + b[0]) * s, (row + b[1]) * s
            bw, bh = math.exp(b[2]) * s, math.exp(b[3]) * s
            k = kps[i]
            pts = [((k[2 * j] + col) * s / f, (k[2 * j + 1] + row) * s / f) for j in range(5)]
            faces.append(
                {
                    "rect": ((cx - bw / 2) / f, (cy - bh / 2) / f, bw / f, bh / f),
                    "score": float(score[i]),
                    "points": pts,
                }
            )
    faces.sort(key=lambda d: -d["score"])
    kept = []
    for d in faces:
        if all(_iou(d["rect"], k["rect"]) < nms_iou for k in kept):
            kept.append(d)
    kept.sort(key=lambda d: -(d["rect"][2] * d["rect"][3]))
    return kept


def _iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(min(ax + aw, bx + bw) - max(ax, bx), 0.0)
    iy = max(min(ay + ah, by + bh) - max(ay, by), 0.0)
    inter = ix * iy
    return inter / max(aw * ah + bw * bh - inter, 1e-6)


def require(ok: bool, what: str) -> None:
    """A verification that holds under `python3 -O` too (which drops assert statements)."""
    if not ok:
        raise SystemExit(f"prepare-models: {what}")


def stretch_contrast(img: np.ndarray) -> np.ndarray:
    """1st..99th luminance percentile to full range: idphoto's retry when nothing is found, less
    its gamma step (src/analyse/mod.rs normalise_exposure). The reference
    calibration ran without it, and the shipped int8 file's ranges come from that run."""
    lum = (img[..., 0].astype(np.uint32) * 77 + img[..., 1].astype(np.uint32) * 150
           + img[..., 2].astype(np.uint32) * 29) >> 8
    hist = np.bincount(lum.ravel(), minlength=256)
    total = hist.sum()
    cum = np.cumsum(hist)

    def pct(q):
        return float(np.argmax(cum > int(total * q)))

    lo = pct(0.01)
    hi = max(pct(0.99), lo + 1.0)
    return np.clip(np.round((img.astype(np.float32) - lo) * 255.0 / (hi - lo)), 0, 255).astype(np.uint8)


def detect_main_face(sess: ort.InferenceSession, img: np.ndarray, in_h: int = YUNET_INPUT,
                     in_w: int = YUNET_INPUT, min_score: float = 0.5, retry_score: float = 0.35):
    names = [o.name for o in sess.get_outputs()]
    for im, thr in ((img, min_score), (None, retry_score)):
        if im is None:
            im = stretch_contrast(img)
        x, f = yunet_input(im, in_h, in_w)
        outs = dict(zip(names, sess.run(None, {"input": x})))
        faces = yunet_decode(outs, f, in_h, in_w, thr)
        if faces:
            return faces[0]
    return None


def parsing_frame(det: dict, size: int):
    """(center, side, angle, size) as src/analyse/parse.rs parsing_frame."""
    (rx, ry), (lx, ly) = det["points"][0], det["points"][1]
    ex, ey = (rx + lx) / 2, (ry + ly) / 2
    angle = math.atan2(ly - ry, lx - rx)
    side = max(4.2 * math.hypot(lx - rx, ly - ry), 2.2 * det["rect"][2])
    shift = 0.1 * side
    s, c = math.sin(angle), math.cos(angle)
    return ((ex - s * shift, ey + c * shift), side, angle, size)


def sample_crop(img: np.ndarray, frame):
    """Bilinear crop as CropFrame::sample (black outside). Returns (uint8 HxWx3, outside mask)."""
    (cx, cy), side, angle, size = frame
    step = side / size
    s, c = math.sin(angle), math.cos(angle)
    uu, vv = np.meshgrid(np.arange(size, dtype=np.float64) + 0.5 - size / 2,
                         np.arange(size, dtype=np.float64) + 0.5 - size / 2)
    x = cx + uu * c * step - vv * s * step
    y = cy + uu * s * step + vv * c * step
    h, w = img.shape[:2]
    outside = (x < 0) | (y < 0) | (x >= w) | (y >= h)
    xs, ys = x - 0.5, y - 0.5
    far = (xs < -1) | (ys < -1) | (xs > w) | (ys > h)
    x0, y0 = np.floor(xs).astype(np.int64), np.floor(ys).astype(np.int64)
    fx, fy = (xs - x0)[..., None], (ys - y0)[..., None]
    pad = np.zeros((h + 2, w + 2, 3), np.float64)
    pad[1:-1, 1:-1] = img

    def px(xi, yi):
        return pad[np.clip(yi + 1, 0, h + 1), np.clip(xi + 1, 0, w + 1)]

    a, b, cc, d = px(x0, y0), px(x0 + 1, y0), px(x0, y0 + 1), px(x0 + 1, y0 + 1)
    top = a + (b - a) * fx
    bottom = cc + (d - cc) * fx
    out = np.clip(np.round(top + (bottom - top) * fy), 0, 255).astype(np.uint8)
    out[far] = 0
    return out, outside


def bisenet_input(crop: np.ndarray) -> np.ndarray:
    x = (crop.astype(np.float32) / 255.0 - MEAN) / STD
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def collect_faces(yunet_path: Path, image_paths: list[Path], log=print):
    """[(path, analysis image, detection)] for every image with a face, in the given order."""
    sess = session(yunet_path)
    found = []
    for p in image_paths:
        try:
            img = load_analysis_image(p)
        except Exception as e:  # unreadable file: skip, but say so
            log(f"  skip {p}: {e}")
            continue
        det = detect_main_face(sess, img)
        if det is not None:
            found.append((p, img, det))
    return found


def select_calibration(faces, per_dir_max: int) -> list[int]:
    """Indices into `faces` used for calibration: within each directory (sorted by path),
    the faces at even positions, at most per_dir_max of them, evenly spaced. The odd
    positions are left untouched so they can serve as held-out evaluation data."""
    by_dir: dict[str, list[int]] = {}
    for i, (p, _, _) in enumerate(faces):
        by_dir.setdefault(str(Path(p).parent), []).append(i)
    chosen = []
    for d in sorted(by_dir):
        even = by_dir[d][0::2]
        chosen += [even[j] for j in evenly_spaced(len(even), per_dir_max)]
    return sorted(chosen)


def evenly_spaced(n: int, k: int) -> list[int]:
    if k >= n:
        return list(range(n))
    return sorted({int(round(i * (n - 1) / (k - 1))) for i in range(k)}) if k > 1 else [0]


# ---------------------------------------------------------------------------------------------
# 1. int8 BiSeNet
# ---------------------------------------------------------------------------------------------


class CropReader:
    """CalibrationDataReader over uint8 crops; supports set_range for chunked (strided) calibration."""

    def __init__(self, crops: list[np.ndarray]):
        self.crops = crops
        self.start, self.end = 0, len(crops)
        self.pos = self.start

    def __len__(self):
        return len(self.crops)

    def set_range(self, start_index: int, end_index: int):
        self.start, self.end = start_index, min(end_index, len(self.crops))
        self.pos = self.start

    def get_next(self):
        if self.pos >= self.end:
            return None
        x = bisenet_input(self.crops[self.pos])
        self.pos += 1
        return {"input": x}

    def rewind(self):
        self.pos = self.start


def final_resize_and_classifier(model: onnx.ModelProto) -> list[str]:
    """Names of the logits Resize (graph output side) and the Conv feeding it."""
    producers = {o: n for n in model.graph.node for o in n.output}
    out = model.graph.output[0].name
    node = producers[out]
    names = []
    while node.op_type == "Identity":
        node = producers[node.input[0]]
    if node.op_type == "Resize":
        names.append(node.name)
        conv = producers.get(node.input[0])
        if conv is not None and conv.op_type == "Conv":
            names.append(conv.name)
    return names


QUANT_CONFIGS = {
    # name: (format, activation type, weight type)
    "qdq_u8s8": ("QDQ", "QUInt8", "QInt8"),
    "qdq_s8s8": ("QDQ", "QInt8", "QInt8"),
    "qop_u8s8": ("QOperator", "QUInt8", "QInt8"),
    "qdq_u8u8": ("QDQ", "QUInt8", "QUInt8"),
}


def calibrate(pre: Path, crops: list[np.ndarray], method: str, workdir: Path, chunk: int = 4,
              num_bins: int = 2048, num_quantized_bins: int = 128, percentile: float = 99.999):
    """Activation ranges, independent of the order of `crops`.

    Pass 1 is MinMax. For Entropy / Percentile, pass 2 histograms every tensor over the fixed
    range [-T, T], T = max |x| from pass 1: ORT's HistogramCollector otherwise starts from the
    range of the first batch and re-bins whenever a later batch exceeds it, which makes the
    result depend on the order of the calibration data (measured here with Entropy and the
    default 128 bins: 21 of 54 activation scales changed, by up to 29 %, between two
    orders of the same crops)."""
    from onnxruntime.quantization.calibrate import (CalibrationMethod, HistogramCollector,
                                                    create_calibrator)
    from onnxruntime.quantization.registry import QDQRegistry, QLinearOpsRegistry

    ops = sorted(set(QLinearOpsRegistry) | set(QDQRegistry))  # as quantize_static does
    reader = CropReader(crops)

    def feed(cal):
        for start in range(0, len(crops), chunk):
            reader.set_range(start, start + chunk)
            cal.collect_data(reader)

    mm = create_calibrator(pre, ops, augmented_model_path=str(workdir / "aug_minmax.onnx"),
                           calibrate_method=CalibrationMethod.MinMax)
    feed(mm)
    ranges = mm.compute_data()
    del mm
    if method == "minmax":
        return ranges

    cm = CalibrationMethod.Entropy if method == "entropy" else CalibrationMethod.Percentile
    hc = create_calibrator(pre, ops, augmented_model_path=str(workdir / "aug_hist.onnx"),
                           calibrate_method=cm,
                           extra_options={"num_bins": num_bins, "num_quantized_bins": num_quantized_bins,
                                          "percentile": percentile, "symmetric": False})
    hc.collector = HistogramCollector(method=method, symmetric=False, num_bins=num_bins,
                                      num_quantized_bins=num_quantized_bins, percentile=percentile,
                                      scenario="same")
    for name, td in ranges.data.items():
        lo, hi = (float(np.asarray(v).reshape(-1)[0]) for v in td.range_value)
        t = np.float32(max(abs(lo), abs(hi), 1e-12) * (1 + 2.0 ** -16))
        hist, edges = np.histogram(np.zeros(0, np.float32), num_bins, range=(-t, t))
        hc.collector.histogram_dict[name] = (hist, edges, np.float32(np.inf), np.float32(-np.inf), t)
    feed(hc)
    return hc.compute_data()


def quantize_bisenet(src: Path, dst: Path, crops: list[np.ndarray], method: str = "percentile",
                     config: str = "qdq_u8s8", keep_float_head: bool = True, exclude_nodes=(),
                     chunk: int = 4, num_bins: int = 2048, num_quantized_bins: int = 128,
                     percentile: float = 99.999, cache: Path | None = None,
                     extra_options: dict | None = None, reduce_range: bool = True):
    from onnxruntime.quantization import (CalibrationMethod, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.calibrate import load_tensors_data, save_tensors_data
    from onnxruntime.quantization.shape_inference import quant_pre_process

    fmt, act, wt = QUANT_CONFIGS[config]
    # Only int8 weights meet VPMADDUBSW's saturation; uint8 weights go through kernels that
    # widen first, and would only lose a bit.
    reduce_range = reduce_range and wt == "QInt8"
    cm = {"minmax": CalibrationMethod.MinMax, "percentile": CalibrationMethod.Percentile,
          "entropy": CalibrationMethod.Entropy}[method]
    with tempfile.TemporaryDirectory(prefix="prepare-models.") as tmp:
        tmp = Path(tmp)
        pre = tmp / "pre.onnx"
        # ONNX shape inference only (no sympy needed); graph optimisation is left to ORT
        # at load time so node names stay those of the original file.
        quant_pre_process(str(src), str(pre), skip_optimization=True, skip_onnx_shape=False,
                          skip_symbolic_shape=True)
        model = onnx.load(str(pre))
        exclude = final_resize_and_classifier(model) if keep_float_head else []
        exclude += [n for n in exclude_nodes if n not in exclude]
        if cache is not None and Path(cache).is_file():
            ranges = load_tensors_data(cache)
        else:
            ranges = calibrate(pre, crops, method, tmp, chunk=chunk, num_bins=num_bins,
                               num_quantized_bins=num_quantized_bins, percentile=percentile)
        table = Path(cache) if cache is not None else tmp / "ranges.json"
        if not table.is_file():
            save_tensors_data(ranges, table)
        extra = {"ActivationSymmetric": False, "WeightSymmetric": True}
        extra.update(extra_options or {})
        quantize_static(
            str(pre),
            str(dst),
            None,  # ranges come from the table computed above
            quant_format=QuantFormat.QDQ if fmt == "QDQ" else QuantFormat.QOperator,
            activation_type=getattr(QuantType, act),
            weight_type=getattr(QuantType, wt),
            per_channel=True,
            reduce_range=reduce_range,
            calibrate_method=cm,
            nodes_to_exclude=exclude,
            extra_options=extra,
            calibration_cache_path=str(table),
        )
    if reduce_range:
        check_weight_range(dst, 64)
    return exclude, reduce_range


def check_weight_range(path: Path, limit: int):
    """Every int8 weight initialiser lies within [-limit, limit] (see reduce_range above)."""
    for init in onnx.load(str(path)).graph.initializer:
        if init.data_type == onnx.TensorProto.INT8:
            w = onnx.numpy_helper.to_array(init)
            if w.size and int(np.abs(w.astype(np.int16)).max()) > limit:
                raise SystemExit(f"{path}: weights {init.name} exceed +-{limit}")


# ---------------------------------------------------------------------------------------------
# 2. YuNet with symbolic input/output dims
# ---------------------------------------------------------------------------------------------


def make_yunet_dynamic(src: Path, dst: Path):
    m = onnx.load(str(src))
    g = m.graph
    inp = g.input[0]
    dims = inp.type.tensor_type.shape.dim
    require([d.dim_value for d in dims] == [1, 3, 640, 640], f"YuNet input is {dims}, not 1x3x640x640")
    dims[2].ClearField("dim_value")
    dims[2].dim_param = "H"
    dims[3].ClearField("dim_value")
    dims[3].dim_param = "W"
    for o in g.output:
        d = o.type.tensor_type.shape.dim
        stride = o.name.rsplit("_", 1)[1]
        d[1].ClearField("dim_value")
        d[1].dim_param = f"anchors_{stride}"
    # Intermediate shapes recorded for 640x640 would contradict other sizes.
    del g.value_info[:]
    # Every Reshape must use -1 for the anchor axis (true for the 2023mar file; checked here).
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in g.initializer}
    for n in g.node:
        if n.op_type == "Reshape":
            shape = inits[n.input[1]]
            require(shape.tolist()[:2] == [1, -1], f"{n.name}: reshape to {shape}")
        if n.op_type == "Resize":
            require(n.input[3:] == [] or n.input[3] == "", f"{n.name} resizes to sizes, not scales")
    onnx.checker.check_model(m)
    onnx.save(m, str(dst))


def verify_yunet_dynamic(orig: Path, dyn: Path, images: list[Path], log=print):
    a, b = session(orig), session(dyn)
    x = np.random.default_rng(0).uniform(0, 255, (1, 3, 640, 640)).astype(np.float32)
    for ya, yb in zip(a.run(None, {"input": x}), b.run(None, {"input": x})):
        require(ya.shape == yb.shape and np.array_equal(ya, yb), "640x640 outputs differ")
    for p in images:
        img = load_analysis_image(p)
        x, _ = yunet_input(img)
        for ya, yb in zip(a.run(None, {"input": x}), b.run(None, {"input": x})):
            require(np.array_equal(ya, yb), f"640x640 outputs differ on {p}")
        for hh, ww in ((320, 320), (256, 320)):
            det = detect_main_face(b, img, hh, ww)
            require(det is not None, f"no face at {hh}x{ww} in {p}")
            log(f"  {p.name} {hh}x{ww}: score {det['score']:.3f} eyes "
                + " ".join(f"({x:.0f},{y:.0f})" for x, y in det["points"][:2]))


def prelu_replacement(node: onnx.NodeProto, slope: np.ndarray) -> list[onnx.NodeProto]:
    """Nodes that compute PRelu(x, slope) bit for bit (see the module docstring)."""
    x, s = node.input
    y = node.output[0]
    make = onnx.helper.make_node
    if slope.max() <= 1 or slope.min() >= 1:
        pick = "Max" if slope.max() <= 1 else "Min"
        return [make("Mul", [x, s], [y + "/scaled"], name=node.name + "/scaled"),
                make(pick, [x, y + "/scaled"], [y], name=node.name + "/" + pick.lower())]
    return [make("Relu", [x], [y + "/positive"], name=node.name + "/positive"),
            make("Sub", [x, y + "/positive"], [y + "/negative"], name=node.name + "/negative"),
            make("Mul", [y + "/negative", s], [y + "/scaled"], name=node.name + "/scaled"),
            make("Add", [y + "/positive", y + "/scaled"], [y], name=node.name + "/sum")]


def make_mesh_without_prelu(src: Path, dst: Path) -> int:
    m = onnx.load(str(src))
    g = m.graph
    slopes = {i.name: onnx.numpy_helper.to_array(i) for i in g.initializer}
    nodes, replaced = [], 0
    for n in g.node:
        if n.op_type == "PRelu":
            nodes += prelu_replacement(n, slopes[n.input[1]])
            replaced += 1
        else:
            nodes.append(n)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, str(dst))
    return replaced


def verify_mesh_without_prelu(orig: Path, fast: Path, images: list[Path], yunet: Path):
    a, b = session(orig), session(fast)
    rng = np.random.default_rng(0)
    inputs = [rng.uniform(0, 1, (1, 256, 256, 3)).astype(np.float32) for _ in range(3)]
    detector = session(yunet)
    for p in images:
        img = load_analysis_image(p)
        det = detect_main_face(detector, img)
        require(det is not None, f"no face in {p}")
        # The detection box, widened as the analyser's first mesh pass widens it.
        x, y, w, h = det["rect"]
        side = 1.5 * max(w, h)
        frame = ((x + w / 2, y + h / 2), side, 0.0, 256)
        inputs.append(sample_crop(img, frame)[0][None].astype(np.float32) / 255)
    for x in inputs:
        for ya, yb in zip(a.run(None, {"input": x}), b.run(None, {"input": x})):
            require(ya.shape == yb.shape and np.array_equal(ya, yb), "mesh outputs differ")


# ---------------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models_dir", type=Path)
    ap.add_argument("calib_dirs", nargs="+", help="directories (or files) of calibration photos")
    ap.add_argument("--per-dir-max", type=int, default=20,
                    help="most calibration crops taken from one directory")
    ap.add_argument("--calib-method", choices=["percentile", "minmax", "entropy"], default="percentile")
    ap.add_argument("--percentile", type=float, default=99.999)
    ap.add_argument("--num-bins", type=int, default=2048)
    ap.add_argument("--num-quantized-bins", type=int, default=128, help="entropy only")
    ap.add_argument("--config", choices=sorted(QUANT_CONFIGS), default="qdq_u8s8")
    ap.add_argument("--full-range", action="store_true",
                    help="full 8-bit int8 weights (no reduce_range): saturates on x86 CPUs "
                         "without VNNI; uint8-weight configs always use the full range")
    ap.add_argument("--crop-size", type=int, default=384)
    ap.add_argument("--out-dir", type=Path, default=None, help="default: MODELS_DIR")
    args = ap.parse_args(argv)

    models = args.models_dir
    out_dir = args.out_dir or models
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"onnxruntime {ort.__version__}, onnx {onnx.__version__}, numpy {np.__version__}")

    # 2. YuNet (cheap, and needed nowhere else) ------------------------------------------------
    testdata = []
    for name in ("astronaut.png", "grace_hopper.jpg"):
        testdata += [p for p in list_images(args.calib_dirs) if p.name == name][:1]
    # Without them the derived models would be checked on random inputs only.
    require(len(testdata) == 2, "give the project's testdata/ among the calibration directories "
            "(its two portraits verify the derived YuNet and mesh)")
    yunet_dyn = out_dir / YUNET_DYNAMIC
    make_yunet_dynamic(models / YUNET, yunet_dyn)
    print(f"{YUNET_DYNAMIC}: verifying (640x640 identical; faces found at 320x320, 256x320)")
    verify_yunet_dynamic(models / YUNET, yunet_dyn, testdata)

    # 3. Mesh without PRelu (cheap) ----------------------------------------------------------
    mesh_fast = out_dir / MESH_NOPRELU
    replaced = make_mesh_without_prelu(models / MESH, mesh_fast)
    verify_mesh_without_prelu(models / MESH, mesh_fast, testdata, models / YUNET)
    print(f"{MESH_NOPRELU}: {replaced} PRelu nodes rewritten; outputs bit-identical on "
          f"3 random inputs and {len(testdata)} face crops")

    # 1. BiSeNet int8 ---------------------------------------------------------------------------
    images = list_images(args.calib_dirs)
    print(f"calibration: {len(images)} image files in {', '.join(args.calib_dirs)}")
    faces = collect_faces(models / YUNET, images)
    idx = select_calibration(faces, args.per_dir_max)
    crops = [sample_crop(faces[i][1], parsing_frame(faces[i][2], args.crop_size))[0] for i in idx]
    print(f"  {len(faces)} with a face; {len(crops)} crops of {args.crop_size}x{args.crop_size} used")
    require(len(crops) > 0, "no face found in the calibration photos: nothing to calibrate the parser on")
    dst = out_dir / BISENET_INT8
    excluded, reduced = quantize_bisenet(models / BISENET, dst, crops, method=args.calib_method,
                                config=args.config, num_bins=args.num_bins,
                                num_quantized_bins=args.num_quantized_bins, percentile=args.percentile,
                                reduce_range=not args.full_range)
    print(f"{BISENET_INT8}: {args.config}, per-channel"
          + (" 7-bit (reduce_range)" if reduced else "")
          + f", {args.calib_method}"
          + (f" {args.percentile}" if args.calib_method == "percentile" else "")
          + f", float nodes: {', '.join(excluded) or 'none'}")

    for p in (dst, yunet_dyn, mesh_fast):
        print(f"{sha256(p)}  {p.stat().st_size:>10}  {p}")


if __name__ == "__main__":
    sys.exit(main())
