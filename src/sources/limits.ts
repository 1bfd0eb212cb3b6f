/** The largest file, named pipe or standard input read (`scan --max-file-size` raises it). */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;
