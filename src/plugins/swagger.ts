import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'

export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'XinAn 心安 API',
        description: '学校心理健康工作六步法与“三个必谈”管理系统 — privacy-first school psychological case management.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
  })
  // The description lists every route, field and role: a map for an attacker. In production it is
  // not served unless DOCS_PUBLIC says so (the OpenAPI object stays available inside the process).
  if (app.config.NODE_ENV !== 'production' || app.config.DOCS_PUBLIC) {
    await app.register(swaggerUi, { routePrefix: '/docs' })
  }
}, { name: 'swagger' })
