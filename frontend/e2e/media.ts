// The duration of a downloaded file, read by ffprobe when the machine has it (Debian's ffmpeg package), or else
// from the header ffmpeg prints (imageio-ffmpeg's binary, which ships no ffprobe; run.sh exports its path).
import { execFileSync, spawnSync } from "node:child_process";

function onPath(program: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${program}`]).status === 0;
}

export function durationSeconds(path: string): number {
  if (onPath("ffprobe")) {
    const out = execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", path]);
    return Number(out.toString().trim());
  }
  const ffmpeg = process.env.E2E_FFMPEG ?? "ffmpeg";
  // ffmpeg -i with no output exits 1 after printing the input's header on stderr.
  const { stderr } = spawnSync(ffmpeg, ["-hide_banner", "-i", path]);
  const match = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr.toString());
  if (!match) throw new Error(`No duration for ${path}: ${stderr.toString().slice(0, 500)}`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}
