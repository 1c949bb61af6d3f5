import * as pdfjs from 'pdfjs-dist'
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url'
import type { PDFDocumentLoadingTask } from 'pdfjs-dist'

// This module is imported on demand (the document page's preview), so pdf.js is a separate chunk.
pdfjs.GlobalWorkerOptions.workerSrc = workerUrl

const base = import.meta.env.BASE_URL

/**
 * Opens a PDF by URL. Everything pdf.js fetches comes from this origin (the CSP allows
 * nothing else): the worker, standard fonts, CMaps, ICC profiles and wasm decoders are
 * part of the build under /pdfjs/. No string evaluation (isEvalSupported: false).
 */
export function openPdf(url: string): PDFDocumentLoadingTask {
  return pdfjs.getDocument({
    url,
    isEvalSupported: false,
    enableXfa: false,
    withCredentials: false,
    standardFontDataUrl: `${base}pdfjs/standard_fonts/`,
    cMapUrl: `${base}pdfjs/cmaps/`,
    cMapPacked: true,
    iccUrl: `${base}pdfjs/iccs/`,
    wasmUrl: `${base}pdfjs/wasm/`,
  })
}

export type { PDFDocumentProxy, RenderTask } from 'pdfjs-dist'
export const RenderingCancelledException = pdfjs.RenderingCancelledException
