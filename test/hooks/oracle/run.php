<?php
/**
 * Runs hook scenarios (see dsl.ts) on WordPress's own plugin API and prints
 * one JSON log per scenario, one per line.
 *
 *   php run.php /path/to/wordpress/wp-includes scenarios.json > logs.ndjson
 *
 * Only plugin.php (which loads class-wp-hook.php) is used; it has no other
 * dependencies for these functions.
 */
error_reporting( E_ALL & ~E_WARNING );
if ( $argc < 3 ) {
	fwrite( STDERR, "usage: php run.php <wp-includes dir> <scenarios.json>\n" );
	exit( 2 );
}
require rtrim( $argv[1], '/' ) . '/plugin.php';

$scenarios = json_decode( file_get_contents( $argv[2] ), true );
foreach ( $scenarios as $sc ) {
	global $wp_filter, $wp_filters, $wp_actions, $wp_current_filter;
	$wp_filter         = array();
	$wp_filters        = array();
	$wp_actions        = array();
	$wp_current_filter = array();

	$log    = array();
	$budget = $sc['budget'];
	$calls  = array( 'main' => 1 );
	$cbs    = array();
	$run    = null;
	$run    = function ( $ops, $self ) use ( &$log, &$budget, &$cbs, &$run, &$calls ) {
		foreach ( $ops as $op ) {
			if ( 'when' === $op[0] ) {
				if ( $calls[ $self ] - 1 !== $op[1] ) {
					continue;
				}
				$op = $op[2];
			}
			switch ( $op[0] ) {
				case 'add':
					add_filter( $op[1], $cbs[ $op[2] ], $op[3], $op[4] );
					break;
				case 'rm':
					$log[] = 'rm:' . json_encode( remove_filter( $op[1], $cbs[ $op[2] ], $op[3] ) );
					break;
				case 'rmall':
					remove_all_filters( $op[1], null === $op[2] ? false : $op[2] );
					break;
				case 'rmcur':
					$h = current_filter();
					if ( false !== $h ) {
						$log[] = 'rmc:' . json_encode( remove_filter( $h, $cbs[ $op[1] ], $op[2] ) );
					}
					break;
				case 'addcur':
					$h = current_filter();
					if ( false !== $h ) {
						add_filter( $h, $cbs[ $op[1] ], $op[2], $op[3] );
					}
					break;
				case 'do':
					if ( $budget-- > 0 ) {
						do_action( $op[1], ...array_slice( $op, 2 ) );
					}
					break;
				case 'apply':
					if ( $budget-- > 0 ) {
						$log[] = 'r:' . json_encode( apply_filters( $op[1], ...array_slice( $op, 2 ) ) );
					}
					break;
				case 'has':
					$log[] = 'has:' . json_encode( has_filter( $op[1], null === $op[2] ? false : $cbs[ $op[2] ] ) );
					break;
				case 'cur':
					$log[] = 'cur:' . json_encode( current_filter() );
					break;
				case 'doing':
					$log[] = 'doing:' . json_encode( doing_filter( $op[1] ) );
					break;
				case 'did':
					$log[] = 'did:' . json_encode( array( did_action( $op[1] ), did_filter( $op[1] ) ) );
					break;
			}
		}
	};
	foreach ( $sc['cbs'] as $name => $ops ) {
		$calls[ $name ] = 0;
		$cbs[ $name ]   = function ( ...$args ) use ( $name, $ops, &$log, &$run, &$calls ) {
			$calls[ $name ]++;
			$log[] = $name . json_encode( $args );
			$run( $ops, $name );
			return ( isset( $args[0] ) ? $args[0] : '' ) . '.' . $name;
		};
	}
	$run( $sc['main'], 'main' );
	echo json_encode( $log ), "\n";
}
