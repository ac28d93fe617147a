/** The files `nself init` writes. The schema is the spec's first schema. */

export const SCHEMA_DBML = `// Users table
Table users {
  id uuid [pk, default: \`gen_random_uuid()\`]
  email varchar(255) [unique, not null]
  password_hash varchar(255) [not null]
  first_name varchar(100)
  last_name varchar(100)
  is_active boolean [default: true]
  created_at timestamp [default: \`now()\`]
  updated_at timestamp [default: \`now()\`]
}

// Posts table
Table posts {
  id uuid [pk, default: \`gen_random_uuid()\`]
  title varchar(255) [not null]
  content text
  author_id uuid [ref: > users.id]
  is_published boolean [default: false]
  published_at timestamp
  created_at timestamp [default: \`now()\`]
  updated_at timestamp [default: \`now()\`]
}

// Comments table
Table comments {
  id uuid [pk, default: \`gen_random_uuid()\`]
  content text [not null]
  author_id uuid [ref: > users.id]
  post_id uuid [ref: > posts.id]
  created_at timestamp [default: \`now()\`]
}

// Indexes
TableGroup blog_tables {
  users
  posts
  comments
}
`

export function envLocal(projectName: string, password: string): string {
  return `# nself settings for this machine. Never commit this file (it holds a password).
ENVIRONMENT=development

# Database connection.
# With POSTGRES_HOST unset (and no DATABASE_URL), nself runs its own embedded PostgreSQL server
# (data in .nself/postgres, 127.0.0.1 only). Set POSTGRES_HOST=localhost to use the server of
# docker-compose.yml instead (docker compose up -d).
# POSTGRES_HOST=localhost
POSTGRES_PORT=5432
POSTGRES_DB=${projectName}
POSTGRES_USER=postgres
POSTGRES_PASSWORD=${password}

# Migration settings
DB_MIGRATION_TABLE=schema_migrations
DB_MIGRATION_LOCK_TIMEOUT=60
DB_MIGRATION_STATEMENT_TIMEOUT=300

# Backup settings
DB_BACKUP_RETENTION_DAYS=30
DB_BACKUP_COMPRESSION=true
DB_BACKUP_LOCATION=./database/backups

# Development settings
DB_AUTO_MIGRATE=false
DB_CONFIRM_DESTRUCTIVE=false
DB_SEED_ON_INIT=false

# Hasura (docker-compose.yml)
HASURA_GRAPHQL_ADMIN_SECRET=${password}-hasura
`
}

export const DOCKER_COMPOSE = `# The stack nself talks about: PostgreSQL, Hasura and MailHog, wired to .env.local.
# Start it with: docker compose up -d   (then set POSTGRES_HOST=localhost in .env.local)
services:
  postgres:
    image: postgres:15
    restart: unless-stopped
    env_file: .env.local
    environment:
      POSTGRES_DB: \${POSTGRES_DB}
      POSTGRES_USER: \${POSTGRES_USER}
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD}
    ports:
      - "127.0.0.1:\${POSTGRES_PORT:-5432}:5432"
    volumes:
      - postgres-data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U \${POSTGRES_USER} -d \${POSTGRES_DB}"]
      interval: 5s
      retries: 10

  hasura:
    image: hasura/graphql-engine:v2.44.0
    restart: unless-stopped
    depends_on:
      postgres:
        condition: service_healthy
    ports:
      - "127.0.0.1:8080:8080"
    environment:
      HASURA_GRAPHQL_DATABASE_URL: postgres://\${POSTGRES_USER}:\${POSTGRES_PASSWORD}@postgres:5432/\${POSTGRES_DB}
      HASURA_GRAPHQL_ADMIN_SECRET: \${HASURA_GRAPHQL_ADMIN_SECRET}
      HASURA_GRAPHQL_ENABLE_CONSOLE: "true"
      HASURA_GRAPHQL_DEV_MODE: "true"

  mailhog:
    image: mailhog/mailhog:v1.0.1
    restart: unless-stopped
    ports:
      - "127.0.0.1:1025:1025"
      - "127.0.0.1:8025:8025"

volumes:
  postgres-data:
`

export const GITIGNORE = `node_modules/
.env.local
.env.*.local
.nself/
database/backups/
`
