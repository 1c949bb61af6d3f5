// Dev-only configuration for Prisma 6.19's WASM schema engine (the npm alias `prisma6`),
// which writes and checks migrations on machines where Prisma 7's native schema engine
// cannot be downloaded. The runtime uses Prisma 7; see scripts/db-diff.ts and
// shared/recipes/prisma-offline for the workarounds below.
import { defineConfig } from 'prisma6/config'
import { PrismaPg } from 'adapter-pg6'
import pg from 'pg'
import { randomUUID } from 'node:crypto'

// adapter-pg 6.x cannot deserialize the `name` (OID 19) and `"char"` (OID 18) columns the
// schema describer reads from pg_catalog (prisma/orm#27403): report them as text.
const proto = (pg as unknown as { Result: { prototype: { addFields(fields: { dataTypeID: number }[]): void } } }).Result.prototype
const addFields = proto.addFields
proto.addFields = function (fields) {
  for (const f of fields) if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = 25
  return addFields.call(this, fields)
}

const url = process.env.PRISMA6_DATABASE_URL
if (!url) throw new Error('PRISMA6_DATABASE_URL is not set: run this through scripts/db-diff.ts')

// adapter-pg 6.x's connectToShadowDb() lets the connection string override the shadow
// database's name and drops it before closing its pool: create and drop it ourselves.
function migrationAdapter(connectionString: string) {
  const factory = new PrismaPg({ connectionString })
  const connect = factory.connect.bind(factory)
  return Object.assign(factory, {
    async connectToShadowDb() {
      const main = await connect()
      const database = `prisma_shadow_${randomUUID().replace(/-/g, '')}`
      await main.executeScript(`CREATE DATABASE "${database}"`)
      const shadowUrl = new URL(connectionString)
      shadowUrl.pathname = `/${database}`
      const shadow = await new PrismaPg({ connectionString: shadowUrl.toString() }).connect()
      const closeShadow = shadow.dispose.bind(shadow)
      shadow.dispose = async () => {
        await closeShadow()
        await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`)
        await main.dispose()
      }
      return shadow
    },
  })
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => migrationAdapter(url),
  schema: process.env.PRISMA6_SCHEMA ?? 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
})
