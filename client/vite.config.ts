import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

const here = dirname(fileURLToPath(import.meta.url))
const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'))

/**
 * pdf.js loads standard fonts, CMaps, ICC profiles and its wasm decoders by URL at run
 * time. The server's CSP allows only 'self', so they are served from /pdfjs/… : copied
 * into the build, and served straight from node_modules by the dev server.
 */
const PDFJS_DIRS = ['standard_fonts', 'cmaps', 'iccs', 'wasm'] as const

function pdfjsAssets(): Plugin {
  return {
    name: 'hromada-pdfjs-assets',
    configureServer(server) {
      server.middlewares.use('/pdfjs', (req, res, next) => {
        const rel = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^[/\\]+/, '')
        const top = rel.split(sep)[0] as (typeof PDFJS_DIRS)[number]
        const file = join(pdfjsRoot, rel)
        if (!PDFJS_DIRS.includes(top) || !file.startsWith(pdfjsRoot + sep) || !existsSync(file) || !statSync(file).isFile()) return next()
        res.setHeader('content-type', file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream')
        createReadStream(file).pipe(res)
      })
    },
    generateBundle() {
      for (const dir of PDFJS_DIRS) {
        for (const name of readdirSync(join(pdfjsRoot, dir))) {
          const file = join(pdfjsRoot, dir, name)
          if (!statSync(file).isFile()) continue
          this.emitFile({ type: 'asset', fileName: `pdfjs/${dir}/${name}`, source: readFileSync(file) })
        }
      }
    },
  }
}

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  plugins: [svelte({ configFile: false }), pdfjsAssets()],
  build: {
    outDir: join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2023',
    sourcemap: false,
    // pdf.js is loaded on demand, in its own chunk; it is large by nature.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': { target: 'http://localhost:3000', changeOrigin: false },
    },
  },
})
