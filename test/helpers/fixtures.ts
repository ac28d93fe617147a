/**
 * The spec's schemas (test/fixtures/initial.dbml and blog.dbml) as models, written by hand so the
 * diff tests do not depend on the parser. `(email) [unique]` indexes that repeat a column's
 * [unique] are folded into the unique constraint, as the parser does.
 */
import type {SchemaModel} from '../../src/schema/model.js'
import {bool, col, enumType, expr, model, str, table} from './model.js'

const uuidPk = () => col('id', 'uuid', {pk: true, default: expr('gen_random_uuid()')})
const now = (name: string) => col(name, 'timestamp', {default: expr('now()')})

export function initialModel(): SchemaModel {
  return model([
    table('users', [
      uuidPk(),
      col('email', 'varchar(255)', {unique: true, notNull: true}),
      col('password_hash', 'varchar(255)', {notNull: true}),
      col('first_name', 'varchar(100)'),
      col('last_name', 'varchar(100)'),
      col('is_active', 'boolean', {default: bool(true)}),
      now('created_at'),
      now('updated_at'),
    ]),
    table('posts', [
      uuidPk(),
      col('title', 'varchar(255)', {notNull: true}),
      col('content', 'text'),
      col('author_id', 'uuid', {ref: {table: 'users'}}),
      col('is_published', 'boolean', {default: bool(false)}),
      col('published_at', 'timestamp'),
      now('created_at'),
      now('updated_at'),
    ]),
    table('comments', [
      uuidPk(),
      col('content', 'text', {notNull: true}),
      col('author_id', 'uuid', {ref: {table: 'users'}}),
      col('post_id', 'uuid', {ref: {table: 'posts'}}),
      now('created_at'),
    ]),
  ])
}

export function blogModel(): SchemaModel {
  return model(
    [
      table(
        'users',
        [
          uuidPk(),
          col('email', 'varchar(255)', {unique: true, notNull: true}),
          col('username', 'varchar(50)', {unique: true, notNull: true}),
          col('password_hash', 'varchar(255)', {notNull: true}),
          col('first_name', 'varchar(100)'),
          col('last_name', 'varchar(100)'),
          col('bio', 'text'),
          col('avatar_url', 'varchar(500)'),
          col('is_active', 'boolean', {default: bool(true)}),
          col('is_verified', 'boolean', {default: bool(false)}),
          col('role', 'user_role', {default: str('user')}),
          now('created_at'),
          now('updated_at'),
        ],
        {indexes: [{columns: ['is_active']}, {columns: ['created_at']}]},
      ),
      table(
        'posts',
        [
          uuidPk(),
          col('title', 'varchar(255)', {notNull: true}),
          col('slug', 'varchar(255)', {unique: true, notNull: true}),
          col('content', 'text'),
          col('excerpt', 'text'),
          col('author_id', 'uuid', {ref: {table: 'users'}, notNull: true}),
          col('category_id', 'uuid', {ref: {table: 'categories'}}),
          col('featured_image_url', 'varchar(500)'),
          col('is_published', 'boolean', {default: bool(false)}),
          col('is_featured', 'boolean', {default: bool(false)}),
          col('published_at', 'timestamp'),
          now('created_at'),
          now('updated_at'),
        ],
        {
          indexes: [
            {columns: ['author_id']},
            {columns: ['category_id']},
            {columns: ['is_published', 'published_at']},
            {columns: ['is_featured']},
            {columns: ['created_at']},
          ],
        },
      ),
      table(
        'categories',
        [
          uuidPk(),
          col('name', 'varchar(100)', {unique: true, notNull: true}),
          col('slug', 'varchar(100)', {unique: true, notNull: true}),
          col('description', 'text'),
          col('color', 'varchar(7)'),
          now('created_at'),
        ],
        {indexes: [{columns: ['name']}]},
      ),
      table(
        'tags',
        [
          uuidPk(),
          col('name', 'varchar(50)', {unique: true, notNull: true}),
          col('slug', 'varchar(50)', {unique: true, notNull: true}),
          now('created_at'),
        ],
        {
          indexes: [{columns: ['name']}],
        },
      ),
      table(
        'post_tags',
        [col('post_id', 'uuid', {ref: {table: 'posts'}}), col('tag_id', 'uuid', {ref: {table: 'tags'}})],
        {
          pk: ['post_id', 'tag_id'],
          indexes: [{columns: ['tag_id']}],
        },
      ),
      table(
        'comments',
        [
          uuidPk(),
          col('content', 'text', {notNull: true}),
          col('author_id', 'uuid', {ref: {table: 'users'}, notNull: true}),
          col('post_id', 'uuid', {ref: {table: 'posts'}, notNull: true}),
          col('parent_id', 'uuid', {ref: {table: 'comments'}}),
          col('is_approved', 'boolean', {default: bool(false)}),
          now('created_at'),
          now('updated_at'),
        ],
        {
          indexes: [
            {columns: ['post_id', 'created_at']},
            {columns: ['author_id']},
            {columns: ['parent_id']},
            {columns: ['is_approved']},
          ],
        },
      ),
    ],
    [enumType('user_role', ['user', 'author', 'editor', 'admin'])],
  )
}
