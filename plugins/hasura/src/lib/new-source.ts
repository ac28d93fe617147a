import type {Source} from './metadata.js'

/** A database source for a directory that has none yet: the docker-compose stack's database URL variable. */
export function newSource(name: string): Source {
  return {
    name,
    kind: 'postgres',
    configuration: {
      connection_info: {
        database_url: {from_env: 'HASURA_GRAPHQL_DATABASE_URL'},
        isolation_level: 'read-committed',
        use_prepared_statements: false,
      },
    },
    tables: [],
  }
}
