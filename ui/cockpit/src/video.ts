// The call's pictures. Where the host can (Linux), it draws them natively on surfaces
// over the two canvases: the page only tells it where they are (`showNative`). Otherwise
// (or with BALIE_VIDEO=webgl) the page draws them: the engine hands over raw I420 (Y, U and
// V planes); three one-byte textures go to the GPU (or Mesa's software rasteriser) and a
// shader turns them into colour. A 2D-canvas fallback converts in script when WebGL is
// unavailable.
import { frameUrl, videoAreas, videoPainted, type VideoArea, type VideoStream } from "./ipc";

const VERTEX = `
attribute vec2 position;
varying vec2 uv;
void main() {
  uv = vec2((position.x + 1.0) / 2.0, (1.0 - position.y) / 2.0);
  gl_Position = vec4(position, 0.0, 1.0);
}`;

// BT.601 limited range, as OpenH264 and browsers produce for camera video.
const FRAGMENT = `
precision mediump float;
varying vec2 uv;
uniform sampler2D planeY;
uniform sampler2D planeU;
uniform sampler2D planeV;
void main() {
  float y = 1.1643 * (texture2D(planeY, uv).r - 0.0625);
  float u = texture2D(planeU, uv).r - 0.5;
  float v = texture2D(planeV, uv).r - 0.5;
  gl_FragColor = vec4(y + 1.5958 * v, y - 0.39173 * u - 0.81290 * v, y + 2.017 * u, 1.0);
}`;

/** One decoded picture as the engine sends it. */
export interface Picture {
  seq: number;
  width: number;
  height: number;
  planes: Uint8Array;
}

/** Reads the engine's frame bytes: u64 sequence, u16 width, u16 height, then I420. */
export function parsePicture(buffer: ArrayBuffer): Picture | null {
  if (buffer.byteLength < 12) return null;
  const view = new DataView(buffer);
  const seq = Number(view.getBigUint64(0, true));
  const width = view.getUint16(8, true);
  const height = view.getUint16(10, true);
  const chroma = Math.ceil(width / 2) * Math.ceil(height / 2);
  const planes = new Uint8Array(buffer, 12);
  if (width < 2 || height < 2 || planes.length !== width * height + 2 * chroma) return null;
  return { seq, width, height, planes };
}

interface Renderer {
  draw(picture: Picture): void;
  clear(): void;
}

class GlRenderer implements Renderer {
  private readonly textures: WebGLTexture[];

  constructor(private readonly canvas: HTMLCanvasElement, private readonly gl: WebGLRenderingContext) {
    const program = gl.createProgram();
    for (const [type, source] of [
      [gl.VERTEX_SHADER, VERTEX],
      [gl.FRAGMENT_SHADER, FRAGMENT],
    ] as const) {
      const shader = gl.createShader(type);
      if (!shader || !program) throw new Error("WebGL shader");
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader) ?? "shader");
      gl.attachShader(program, shader);
    }
    if (!program) throw new Error("WebGL program");
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program) ?? "link");
    gl.useProgram(program);
    const quad = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, quad);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    const position = gl.getAttribLocation(program, "position");
    gl.enableVertexAttribArray(position);
    gl.vertexAttribPointer(position, 2, gl.FLOAT, false, 0, 0);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    this.textures = ["planeY", "planeU", "planeV"].map((name, unit) => {
      const texture = gl.createTexture();
      if (!texture) throw new Error("WebGL texture");
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, texture);
      for (const p of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T]) gl.texParameteri(gl.TEXTURE_2D, p, gl.CLAMP_TO_EDGE);
      for (const p of [gl.TEXTURE_MIN_FILTER, gl.TEXTURE_MAG_FILTER]) gl.texParameteri(gl.TEXTURE_2D, p, gl.LINEAR);
      gl.uniform1i(gl.getUniformLocation(program, name), unit);
      return texture;
    });
  }

  draw({ width, height, planes }: Picture): void {
    const { gl, canvas } = this;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    gl.viewport(0, 0, width, height);
    const cw = Math.ceil(width / 2);
    const ch = Math.ceil(height / 2);
    const sizes: [number, number, number][] = [
      [width, height, 0],
      [cw, ch, width * height],
      [cw, ch, width * height + cw * ch],
    ];
    sizes.forEach(([w, h, offset], unit) => {
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, this.textures[unit] ?? null);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.LUMINANCE, w, h, 0, gl.LUMINANCE, gl.UNSIGNED_BYTE, planes.subarray(offset, offset + w * h));
    });
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
  }

  clear(): void {
    this.gl.clearColor(0, 0, 0, 1);
    this.gl.clear(this.gl.COLOR_BUFFER_BIT);
  }
}

class CanvasRenderer implements Renderer {
  constructor(private readonly canvas: HTMLCanvasElement, private readonly ctx: CanvasRenderingContext2D) {}

  draw({ width, height, planes }: Picture): void {
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const image = this.ctx.createImageData(width, height);
    const cw = Math.ceil(width / 2);
    const uBase = width * height;
    const vBase = uBase + cw * Math.ceil(height / 2);
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        const c = (row >> 1) * cw + (col >> 1);
        const y = 1.1643 * ((planes[row * width + col] ?? 16) - 16);
        const u = (planes[uBase + c] ?? 128) - 128;
        const v = (planes[vBase + c] ?? 128) - 128;
        const i = (row * width + col) * 4;
        image.data[i] = y + 1.5958 * v;
        image.data[i + 1] = y - 0.39173 * u - 0.8129 * v;
        image.data[i + 2] = y + 2.017 * u;
        image.data[i + 3] = 255;
      }
    }
    this.ctx.putImageData(image, 0, 0);
  }

  clear(): void {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }
}

function rendererFor(canvas: HTMLCanvasElement): Renderer {
  // preserveDrawingBuffer keeps the last picture readable (tests read the pixels).
  const gl = canvas.getContext("webgl", { preserveDrawingBuffer: true, antialias: false, alpha: false });
  if (gl) {
    try {
      return new GlRenderer(canvas, gl);
    } catch (e) {
      console.warn("WebGL renderer failed; drawing in script", e);
    }
  }
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no canvas context");
  return new CanvasRenderer(canvas, ctx);
}

/**
 * Draws `stream` into `canvas` until `signal` aborts. The pictures come over a loopback
 * WebSocket (Tauri's IPC is too slow for them in WebKitGTK), newest first: a slow window
 * skips pictures instead of lagging behind.
 */
export async function showStream(stream: VideoStream, canvas: HTMLCanvasElement, signal: AbortSignal): Promise<void> {
  const renderer = rendererFor(canvas);
  renderer.clear();
  const url = await frameUrl(stream);
  canvas.dataset.frames = "0";
  delete canvas.dataset.firstPaintAt;
  let seq = 0;
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const socket = new WebSocket(url);
      socket.binaryType = "arraybuffer";
      const stop = () => socket.close();
      signal.addEventListener("abort", stop, { once: true });
      socket.onmessage = (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const picture = parsePicture(event.data);
        if (picture && picture.seq > seq) {
          seq = picture.seq;
          renderer.draw(picture);
          canvas.dataset.frames = String(Number(canvas.dataset.frames) + 1);
          // When the first picture goes to the screen: the frame after its drawing.
          if (canvas.dataset.firstPaintAt === undefined) {
            canvas.dataset.firstPaintAt = "";
            requestAnimationFrame(() => (canvas.dataset.firstPaintAt = String(Date.now())));
          }
        }
        // Drawn: now the next one (the server sends one picture at a time).
        socket.send("drawn");
      };
      socket.onclose = () => {
        signal.removeEventListener("abort", stop);
        resolve();
      };
    });
    if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  renderer.clear();
}

/** Where `element` can be seen: the viewport cut by the inner boxes of every ancestor that
 * clips what overflows it (a scrolling column), as left, top, right, bottom. */
function clipOf(element: Element): [number, number, number, number] {
  const clip: [number, number, number, number] = [0, 0, window.innerWidth, window.innerHeight];
  for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
    const style = getComputedStyle(parent);
    if (style.overflowX === "visible" && style.overflowY === "visible") continue;
    const box = parent.getBoundingClientRect();
    const left = box.left + parent.clientLeft;
    const top = box.top + parent.clientTop;
    clip[0] = Math.max(clip[0], left);
    clip[1] = Math.max(clip[1], top);
    clip[2] = Math.min(clip[2], left + parent.clientWidth);
    clip[3] = Math.min(clip[3], top + parent.clientHeight);
  }
  return clip;
}

/** The content box of `canvas` in viewport pixels, or null when it is not shown. */
function areaOf(canvas: HTMLCanvasElement, mirrored: boolean): VideoArea | null {
  if (canvas.hidden || canvas.offsetParent === null) return null;
  const box = canvas.getBoundingClientRect();
  if (box.width < 1 || box.height < 1) return null;
  const clip = clipOf(canvas);
  if (clip[2] - clip[0] < 1 || clip[3] - clip[1] < 1) return null;
  return {
    clip,
    x: box.left + canvas.clientLeft,
    y: box.top + canvas.clientTop,
    width: canvas.clientWidth,
    height: canvas.clientHeight,
    mirrored,
    // The picture under it would hide the canvas's own border: the host draws it.
    border: canvas.clientLeft,
  };
}

/**
 * Has the host draw both pictures over `remote` and `own` until `signal` aborts, following
 * them as the window's layout changes; while a dialog is open (it would lie under the
 * native surfaces) the pictures are hidden. The canvases' `data-frames` count what the
 * host painted, `data-first-paint-at` when the citizen's first picture reached the screen.
 * Resolves `false` when the host cannot draw natively: then the page draws.
 */
export async function showNative(remote: HTMLCanvasElement, own: HTMLCanvasElement, signal: AbortSignal): Promise<boolean> {
  const areas = (): [VideoArea | null, VideoArea | null] =>
    document.querySelector("dialog[open]") ? [null, null] : [areaOf(remote, false), areaOf(own, true)];
  // Nothing of the last call's counts stays.
  for (const canvas of [remote, own]) {
    canvas.dataset.frames = "0";
    delete canvas.dataset.firstPaintAt;
  }
  // The canvases stay empty when the host draws: give them the pictures' usual sizes, so
  // the page lays out as when it draws them itself (an empty canvas is 300x150).
  for (const [canvas, width, height] of [
    [remote, 640, 480],
    [own, 320, 240],
  ] as const) {
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
  }
  // After the layout of the call.
  await new Promise((resolve) => window.setTimeout(resolve, 0));
  const first = areas();
  if (signal.aborted || !(await videoAreas(...first, true))) return false;
  if (signal.aborted) {
    // The call ended while the host placed them.
    void videoAreas(null, null);
    return true;
  }
  for (const canvas of [remote, own]) canvas.dataset.drawing = "native";
  let last = JSON.stringify(first);

  let pending = false;
  const follow = () => {
    if (pending || signal.aborted) return;
    pending = true;
    // Not requestAnimationFrame: WebKitGTK may stop those for a view under other widgets.
    window.setTimeout(() => {
      pending = false;
      if (signal.aborted) return;
      const now = areas();
      const key = JSON.stringify(now);
      if (key !== last) {
        last = key;
        videoAreas(...now).catch((e) => console.warn("placing the pictures failed", e));
      }
    }, 0);
  };
  const resized = new ResizeObserver(follow);
  for (const canvas of [remote, own]) resized.observe(canvas);
  const changed = new MutationObserver(follow);
  // Text that grows (a status line above the pictures) moves them too.
  changed.observe(document.body, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["open", "hidden", "class", "style"],
  });
  window.addEventListener("resize", follow);
  window.addEventListener("scroll", follow, { capture: true, passive: true });
  const counting = window.setInterval(() => {
    // Also catches a move no observer sees (something above the pictures grew).
    follow();
    void videoPainted().then((painted) => {
      if (signal.aborted) return;
      remote.dataset.frames = String(painted.remote);
      own.dataset.frames = String(painted.self_view);
      if (painted.first_remote_at !== null) remote.dataset.firstPaintAt = String(painted.first_remote_at);
    });
  }, 250);
  signal.addEventListener(
    "abort",
    () => {
      resized.disconnect();
      changed.disconnect();
      window.removeEventListener("resize", follow);
      window.removeEventListener("scroll", follow, { capture: true });
      window.clearInterval(counting);
      for (const canvas of [remote, own]) delete canvas.dataset.drawing;
      void videoAreas(null, null);
    },
    { once: true },
  );
  return true;
}

/** Draws both pictures until `signal` aborts: natively where the host can, else in the page. */
export async function showPictures(remote: HTMLCanvasElement, own: HTMLCanvasElement, signal: AbortSignal): Promise<void> {
  if (await showNative(remote, own, signal).catch(() => false)) return;
  if (signal.aborted) return;
  void showStream("remote", remote, signal);
  void showStream("self", own, signal);
}
